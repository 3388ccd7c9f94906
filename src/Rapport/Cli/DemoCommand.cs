using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rapport.Core.Demo;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Import;
using Rapport.Core.Keys;
using Rapport.Core.Storage;
using Rapport.Engine.Clv;
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
            foreach (var f in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" })
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
        await output.WriteLineAsync($"[1/4] Importing {sample} into {db.DisplayName} (a re-run only adds what is missing)");
        var summary = await Importer.RunAsync(
            services.GetRequiredService<StoreWriter>(), services.GetRequiredService<IdentityResolver>(), services.GetRequiredService<EventWriter>(),
            ImportKind.Orders, sample,
            new ImportOptions { Source = "demo" }, ImportCommands.PlainProgress("orders", error), ct);
        await output.WriteLineAsync(
            $"      {summary.RowsRead:N0} rows: {summary.Imported:N0} imported, {summary.Unchanged:N0} already there, {summary.Rejected:N0} rejected ({clock.Elapsed.TotalSeconds:0.0} s)");

        clock.Restart();
        await output.WriteLineAsync("[2/4] Simulating web visits, searches, abandoned carts, consent answers and service contacts (marked simulated)");
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
        await output.WriteLineAsync("[3/4] Fitting BG/NBD and Gamma-Gamma to the customers' purchases");
        var top = await FitClvAsync(db, output, ct);
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
        await output.WriteLineAsync("[4/4] Serving");
        await output.WriteLineAsync($"      Status page:  {url}/");
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

    /// <summary>Fits the models on every known customer's purchases up to the last day; returns the most valuable customer's id.</summary>
    private static async Task<string> FitClvAsync(IDatabase db, TextWriter output, CancellationToken ct)
    {
        var sales = await DemoData.SalesAsync(db, ct);
        if (sales.Length == 0)
        {
            return "1";
        }

        var end = sales.Max(s => s.Date);
        var summaries = CustomerSummaries.Build(sales, end);
        try
        {
            var bg = BgNbdModel.Fit(RepeatPurchaseData.From(summaries));
            var gg = GammaGammaModel.Fit(summaries);
            var values = CustomerLifetimeValue.Score(bg.Model, gg.Model, summaries, new ClvOptions(52, 0.10, 0.4));
            var best = values.MaxBy(v => v.Clv)!;
            await output.WriteLineAsync(
                $"      BG/NBD r={bg.Model.R:0.###} alpha={bg.Model.Alpha:0.###} a={bg.Model.A:0.###} b={bg.Model.B:0.###} (LL {bg.LogLikelihood:0.#}); " +
                $"Gamma-Gamma p={gg.Model.P:0.###} q={gg.Model.Q:0.###} gamma={gg.Model.Gamma:0.###}");
            await output.WriteLineAsync(
                $"      {summaries.Length:N0} customers; 52-week CLV at 40% margin, 10%/year: total £{values.Sum(v => v.Clv):N0}, highest £{best.Clv:N0} (customer {best.CustomerId})");
            return best.CustomerId;
        }
        catch (Exception ex) when (ex is ModelFitException or InvalidOperationException or ArgumentException or ArithmeticException)
        {
            await output.WriteLineAsync($"      the models could not be fitted: {ex.Message}");
            return summaries[0].CustomerId;
        }
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
