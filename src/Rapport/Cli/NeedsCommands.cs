using System.CommandLine;
using System.Globalization;
using Rapport.Core.Needs;
using Rapport.Hosting;
using Rapport.Http;

namespace Rapport.Cli;

/// <summary>`rapport needs recompute`: every customer's needs and a cluster refit, once, on a store. Progress on stderr, summary on stdout.</summary>
internal static class NeedsCommands
{
    public static Command Create()
    {
        var needs = new Command("needs", "Customer needs: category affinity, price sensitivity, channels, cadence, preferences, clusters");
        needs.Subcommands.Add(Recompute());
        return needs;
    }

    private static Command Recompute()
    {
        var store = CliOptions.Store();
        var noRefit = new Option<bool>("--no-refit") { Description = "Only recompute needs; keep the current clusters (changed customers join the nearest)" };
        var k = new Option<string?>("--clusters") { Description = "Number of clusters, 2 to 20, or auto (default: chosen between 2 and 8 by silhouette)" };
        var seed = new Option<string?>("--seed") { Description = "Seed of the k-means fit (default 42): the same seed gives the same clusters" };
        var command = new Command("recompute", "Recompute every customer's needs from their history, then refit the needs-based clusters") { store, noRefit, k, seed };
        command.SetAction(async (parse, ct) =>
        {
            if (NeedsEndpoints.Parse(parse.GetValue(noRefit) ? "false" : null, parse.GetValue(k), parse.GetValue(seed), out var request) is { } problem)
            {
                throw new UsageException(problem.Replace("k '", "--clusters '", StringComparison.Ordinal).Replace("k: ", "--clusters: ", StringComparison.Ordinal)
                    .Replace("seed '", "--seed '", StringComparison.Ordinal));
            }

            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var last = "";
            var summary = await services.GetRequiredService<NeedsRecompute>().TryRunAsync(
                request,
                p =>
                {
                    // One line per phase change or 10% step, not per chunk.
                    var line = p.Total == 0 ? p.Phase : $"{p.Phase} {p.Done * 10 / p.Total * 10}%";
                    if (line != last)
                    {
                        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"needs: {p.Phase} {p.Done:N0}/{p.Total:N0}"));
                        last = line;
                    }
                },
                ct);
            await output.WriteAsync(Describe(summary!));
            return 0;
        });
        return command;
    }

    public static string Describe(NeedsRecomputeSummary s)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{s.Customers:N0} customers, {s.WithNeeds:N0} with needs, {s.Changed:N0} changed; {s.TotalSeconds:0.0} s (needs {s.NeedsSeconds:0.0}, clusters {s.ClusterSeconds:0.0})"),
        };
        if (s.Clusters is { Status: "failed" } failed)
        {
            lines.Add($"Clusters not fitted: {failed.Message}");
        }
        else if (s.Clusters is { } c)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Clusters (model {c.ModelId}, k = {c.K}{(c.KChosen ? $" chosen by silhouette {c.Silhouette:0.00}" : "")}):"));
            lines.AddRange(c.Clusters.OrderByDescending(x => x.Size).Select(x => string.Create(CultureInfo.InvariantCulture, $"  {x.Size,9:N0}  {x.Label}")));
        }

        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
