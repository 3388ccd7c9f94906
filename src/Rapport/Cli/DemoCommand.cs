using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rapport.Core.Actions;
using Rapport.Core.Demo;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Import;
using Rapport.Core.Keys;
using Rapport.Core.Recompute;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.Cli;

/// <summary>
/// `rapport demo`: the main job on the embedded store. Imports the real sample data, adds
/// clearly marked simulated web behaviour, computes what exists, serves and prints the URLs.
/// </summary>
internal static class DemoCommand
{
    public const string SampleFile = "online-retail.csv.gz";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 5080 };
        var dir = new Option<string>("--dir") { Description = "Where the demo store lives", DefaultValueFactory = _ => Path.Combine(".rapport", "demo") };
        var data = new Option<string?>("--data") { Description = $"Orders file to load instead of samples/{SampleFile}" };
        var fresh = new Option<bool>("--fresh") { Description = "Delete the demo store first and rebuild it" };
        var noServe = new Option<bool>("--no-serve") { Description = "Build the store, print what it holds, and exit" };
        var command = new Command("demo", "Load the sample data, simulate web behaviour, compute, and serve the API on localhost")
        {
            port, dir, data, fresh, noServe,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(port), parse.GetValue(dir)!, parse.GetValue(data), parse.GetValue(fresh), parse.GetValue(noServe),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(
        int port, string dir, string? data, bool fresh, bool noServe, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var sample = data ?? FindSample() ?? throw new UsageException(
            $"The sample data samples/{SampleFile} was not found next to the executable or above the current directory; pass --data FILE.");
        if (!File.Exists(sample))
        {
            throw new UsageException($"--data {sample}: no such file.");
        }

        var dbPath = Path.Combine(dir, "demo.db");
        if (fresh)
        {
            foreach (var f in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" }.Where(File.Exists))
            {
                File.Delete(f);
            }
        }

        await output.WriteLineAsync("Rapport demo: UCI Online Retail (real transactions, CC BY 4.0, Chen, Sain & Guo 2012) + simulated web behaviour");
        await using var db = new SqliteDatabase(dbPath);
        await SchemaMigrator.MigrateAsync(db, ct);
        var app = RapportApp.Build(db, TimeProvider.System, $"http://127.0.0.1:{port}");
        var services = app.Services;

        var clock = Stopwatch.StartNew();
        await output.WriteLineAsync($"[1/5] Importing {sample} into {db.DisplayName} (a re-run only adds what is missing)");
        var summary = await Importer.RunAsync(
            services.GetRequiredService<StoreWriter>(), services.GetRequiredService<IdentityResolver>(), services.GetRequiredService<EventWriter>(),
            ImportKind.Orders, sample,
            new ImportOptions { Source = "demo" }, ImportCommands.PlainProgress("orders", error), ct);
        await output.WriteLineAsync(
            $"      {summary.RowsRead:N0} rows: {summary.Imported:N0} imported, {summary.Unchanged:N0} already there, {summary.Rejected:N0} rejected ({clock.Elapsed.TotalSeconds:0.0} s)");

        clock.Restart();
        await output.WriteLineAsync("[2/5] Simulating web visits, searches, abandoned carts, consent answers and service contacts (marked simulated)");
        var (customers, products) = await DemoData.LoadAsync(db, ct);
        var sink = services.GetRequiredService<IEventSink>();
        int stored = 0, total = 0;
        foreach (var chunk in DemoSimulator.Simulate(customers, products).Chunk(5_000))
        {
            var result = await sink.IngestAsync(chunk, ct);
            stored += result.Stored;
            total += chunk.Length;
            await error.WriteLineAsync($"simulate: {total:N0} events");
        }

        await output.WriteLineAsync($"      {total:N0} simulated events for {customers.Count:N0} customers, {stored:N0} new ({clock.Elapsed.TotalSeconds:0.0} s)");

        clock.Restart();
        await output.WriteLineAsync("[3/5] Computing customer value (margin, RFM, tiers, Pareto) and fitting BG/NBD and Gamma-Gamma to the customers' purchases");
        var top = await ComputeValueAsync(services, output, ct);
        await output.WriteLineAsync($"      ({clock.Elapsed.TotalSeconds:0.0} s)");

        clock.Restart();
        await output.WriteLineAsync("[4/5] Needs, segments and actions: product categories derived from the descriptions (the data has none), needs and their clusters, example segments, example actions decided with simulated outcomes");
        await ComputeNeedsAndSegmentsAsync(services, output, error, ct);
        await output.WriteLineAsync($"      ({clock.Elapsed.TotalSeconds:0.0} s)");

        var keys = services.GetRequiredService<ApiKeys>();
        var (writeKey, _) = await keys.CreateAsync(KeyKind.Write, "demo", ct);
        var (adminKey, _) = await keys.CreateAsync(KeyKind.Admin, "demo", ct);
        if (noServe)
        {
            await output.WriteLineAsync($"Write key: {writeKey}");
            await output.WriteLineAsync($"Admin key: {adminKey}");
            return 0;
        }

        await app.StartAsync(ct);
        var url = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await output.WriteLineAsync("[5/5] Serving");
        await output.WriteLineAsync($"      Status page:  {url}/");
        await DashboardCommands.PrintSignInAsync(services, url, output, "      ", ct);
        await output.WriteLineAsync($"      OpenAPI:      {url}/openapi/v1.json");
        await output.WriteLineAsync($"      A customer:   {url}/v1/customers/{top}  (admin key)");
        await output.WriteLineAsync($"      Write key:    {writeKey}");
        await output.WriteLineAsync($"      Admin key:    {adminKey}");
        await output.WriteLineAsync($"      Try:          curl -u {adminKey}: {url}/v1/customers/{top}/timeline");
        await output.WriteLineAsync($"      Send events:  curl -u {writeKey}: -H 'content-type: application/json' {url}/v1/track -d '{{\"userId\":\"me\",\"event\":\"Product Viewed\",\"properties\":{{\"product_id\":\"85123A\"}}}}'");
        await output.WriteLineAsync("Press Ctrl+C to stop.");
        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>
    /// Recomputes every customer's value and fits a CLV model version through the server's own
    /// services, so the demo store holds values and predictions; returns the most valuable customer's id.
    /// </summary>
    private static async Task<string> ComputeValueAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var value = await services.GetRequiredService<ValueRecompute>().RunAsync(rebuild: false, null, ct);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"      {value.Buyers:N0} customers with orders; the top {ValueCommands.Percent(value.Top)} bring {ValueCommands.Percent(Math.Round(value.RevenueShareOfTop ?? 0, 3))} of net revenue and {ValueCommands.Percent(Math.Round(value.MarginShareOfTop ?? 0, 3))} of margin; tiers: {string.Join(", ", value.Tiers.Select(t => $"{t.Name} {t.Customers:N0}"))}"));
        // 40% margin: the UCI import assumes goods cost 60% of their price.
        var fit = await services.GetRequiredService<ClvRefit>().FitAsync(new ClvFitRequest(ClvFitRequest.BgNbd, 52, 0.10, 0.4), null, ct);
        if (!fit.Fitted)
        {
            await output.WriteLineAsync($"      the models could not be fitted: {fit.Model.Message}");
            await using var c = await services.GetRequiredService<IDatabase>().OpenAsync(ct);
            var best = await c.ExecuteScalarAsync<long?>("SELECT customer_id FROM customer_value ORDER BY margin_e4 DESC, customer_id LIMIT 1");
            return (best ?? 1).ToString(CultureInfo.InvariantCulture);
        }

        var p = fit.Model.Parameters!;
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"      BG/NBD r={p["r"]:0.###} alpha={p["alpha"]:0.###} a={p["a"]:0.###} b={p["b"]:0.###} (LL {fit.Model.LogLikelihood:0.#}); Gamma-Gamma p={p["p"]:0.###} q={p["q"]:0.###} gamma={p["gamma"]:0.###} (model {fit.Model.Id})"));
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"      {fit.Predictions:N0} customers; 52-week CLV at 40% margin, 10%/year: total £{fit.TotalClv:N0}, highest £{fit.TopClv:N0} (customer {fit.TopCustomerId})"));
        return fit.TopCustomerId!.Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// What the needs page, the profiles' needs and category segments stand on: categories for
    /// the products (<see cref="DemoCategories"/>), then the full recomputation (value, needs
    /// with a cluster fit, the segments there are), then the example segments, computed on
    /// those needs as they are saved.
    /// </summary>
    private static async Task ComputeNeedsAndSegmentsAsync(IServiceProvider services, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var categorised = await DemoCategories.ApplyAsync(services.GetRequiredService<StoreWriter>(), ct);
        await using (var c = await services.GetRequiredService<IDatabase>().OpenAsync(ct))
        {
            var counts = await c.QueryAsync<(string Category, long Products)>(
                "SELECT category, COUNT(*) FROM products WHERE category IS NOT NULL GROUP BY category ORDER BY COUNT(*) DESC, category");
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"      {categorised:N0} products categorised now; {string.Join(", ", counts.Select(x => $"{x.Category} {x.Products:N0}"))}"));
        }

        var summary = await services.GetRequiredService<FullRecompute>().TryRunAsync(RecomputeCommand.ProgressPrinter(error), ct);
        if (summary?.Needs is { } needs)
        {
            foreach (var line in NeedsCommands.Describe(needs).TrimEnd().Split(Environment.NewLine))
            {
                await output.WriteLineAsync("      " + line);
            }
        }

        var created = await DemoSegments.CreateAsync(services.GetRequiredService<SegmentService>(), ct);
        var saved = await services.GetRequiredService<SegmentStore>().ListAsync(ct);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"      {created} example segments saved now; {string.Join(", ", saved.Select(x => $"{x.Name} {x.Members:N0}"))}"));

        var actions = await DemoActions.RunAsync(
            services.GetRequiredService<ActionCatalog>(), services.GetRequiredService<NextBestActionEngine>(), saved, services.GetRequiredService<IDatabase>(), ct);
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"      {actions.ActionsCreated} example actions saved now; {actions.Decisions:N0} decided on email ({actions.Accepted:N0} accepted, simulated), {actions.ControlDecisions:N0} held out as control groups ({actions.Converted:N0} converted, simulated)"));
    }

    private static string? FindSample()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "samples", SampleFile);
        if (File.Exists(beside))
        {
            return beside;
        }

        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "samples", SampleFile);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
