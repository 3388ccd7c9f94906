using System.CommandLine;
using System.Globalization;
using Rapport.Core.Value;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>
/// `rapport value recompute` and `rapport clv refit`: the server's bulk value work, run once on a
/// store. Progress goes to stderr, the summary to stdout.
/// </summary>
internal static class ValueCommands
{
    public static Command Create()
    {
        var value = new Command("value", "Customer value: revenue, margin, RFM, tiers, Pareto position");
        value.Subcommands.Add(Recompute());
        return value;
    }

    /// <summary>`rapport clv refit`, added to the `clv` command.</summary>
    public static Command Refit()
    {
        var store = CliOptions.Store();
        var model = new Option<string>("--model") { Description = "Purchase model: bgnbd or pareto-nbd", DefaultValueFactory = _ => ClvFitRequest.BgNbd };
        model.AcceptOnlyFromAmong(ClvFitRequest.BgNbd, ClvFitRequest.ParetoNbd);
        var horizon = new Option<int>("--horizon-weeks") { Description = "Weeks of future purchases to value", DefaultValueFactory = _ => 52 };
        var rate = new Option<double>("--discount-rate") { Description = "Annual discount rate, e.g. 0.1 for 10% a year", DefaultValueFactory = _ => 0.10 };
        var margin = new Option<double?>("--margin") { Description = "Share of spend that is profit (0-1]; default: the margin the store's data shows" };
        var command = new Command("refit", "Fit a new CLV model version on the store's customers and write every customer's predictions")
        {
            store, model, horizon, rate, margin,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = new ClvFitRequest(parse.GetValue(model)!, parse.GetValue(horizon), parse.GetValue(rate), parse.GetValue(margin));
            if (request.Validate() is { } problem)
            {
                throw new UsageException(problem.Replace("horizonWeeks", "--horizon-weeks", StringComparison.Ordinal)
                    .Replace("discountRate", "--discount-rate", StringComparison.Ordinal).Replace("margin ", "--margin ", StringComparison.Ordinal));
            }

            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var outcome = await services.GetRequiredService<ClvRefit>().FitAsync(request, Progress(error), ct);
            if (!outcome.Fitted)
            {
                throw new UsageException($"the CLV fit failed (recorded as model {outcome.Model.Id}): {outcome.Model.Message}");
            }

            await output.WriteAsync(Describe(outcome));
            return 0;
        });
        return command;
    }

    /// <summary>The fit in two lines, as the demo prints it too.</summary>
    public static string Describe(ClvFitOutcome o)
    {
        var m = o.Model;
        var p = m.Parameters!;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"""
            Model {m.Id}: {(m.Kind == ClvFitRequest.ParetoNbd ? "Pareto/NBD" : "BG/NBD")} {string.Join(" ", p.Where(kv => kv.Key is not ("p" or "q" or "gamma")).Select(kv => $"{kv.Key}={kv.Value:0.###}"))} (LL {m.LogLikelihood:0.#}); Gamma-Gamma p={p["p"]:0.###} q={p["q"]:0.###} gamma={p["gamma"]:0.###}
            {o.Predictions:N0} customers to {m.CalibrationEnd:yyyy-MM-dd}; {m.HorizonWeeks}-week CLV at {Percent(m.Margin)} margin, {Percent(m.DiscountRate)}/year: total {o.TotalClv:N0}, highest {o.TopClv:N0} (customer {o.TopCustomerId}); {o.Seconds:0.0} s

            """);
    }

    private static Command Recompute()
    {
        var store = CliOptions.Store();
        var rebuild = new Option<bool>("--rebuild") { Description = "Also recompute every customer's revenue, costs and margin from the orders (after product cost changes)" };
        var command = new Command("recompute", "Recompute RFM scores, percentiles, tiers and the Pareto position of every customer") { store, rebuild };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var s = await services.GetRequiredService<ValueRecompute>().RunAsync(parse.GetValue(rebuild), Progress(parse.InvocationConfiguration.Error), ct);
            await output.WriteAsync(Describe(s));
            return 0;
        });
        return command;
    }

    /// <summary>The recomputation in a few lines.</summary>
    public static string Describe(ValueRecomputeSummary s) => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        {s.Customers:N0} customers, {s.Buyers:N0} with orders, {s.Changed:N0} rows changed{(s.Rebuilt ? " (figures rebuilt from the orders)" : "")}; {s.TotalSeconds:0.0} s (read {s.ReadSeconds:0.0}, compute {s.ComputeSeconds:0.00}, write {s.WriteSeconds:0.0})
        Tiers: {string.Join(", ", s.Tiers.Select(t => $"{t.Name} {t.Customers:N0}"))}
        Top {Percent(s.Top)} of buyers: {Share(s.RevenueShareOfTop)} of net revenue, {Share(s.MarginShareOfTop)} of margin

        """);

    private static string Share(double? share) => share is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";

    /// <summary>"35%": the invariant culture's P format would print "35 %".</summary>
    internal static string Percent(double? share) => share is { } x ? (x * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : "n/a";

    private static Action<string> Progress(TextWriter error) => line => error.WriteLine(line);
}
