using System.CommandLine;
using System.Globalization;
using Rapport.Core.Recompute;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>
/// `rapport recompute`: the full recomputation (value and needs side by side, then every
/// segment) once, on a store. Progress on stderr, a summary on stdout.
/// </summary>
internal static class RecomputeCommand
{
    public static Command Create()
    {
        var store = CliOptions.Store();
        var command = new Command("recompute", "Recompute every customer's value and needs (with a cluster refit), then every segment's members") { store };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var recompute = services.GetRequiredService<FullRecompute>();
            var show = ProgressPrinter(error);

            // The segment step reports through its job; shown while it runs.
            using var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1));
            var run = recompute.TryRunAsync(show, ct);
            while (!run.IsCompleted && await Task.WhenAny(run, ticker.WaitForNextTickAsync(ct).AsTask()) != run)
            {
                if (recompute.Progress is { Phase: "segments", Segments: { } s })
                {
                    show(recompute.Progress with { Phase = s.Total > 0 ? $"segments: {s.Phase} {s.Done * 10 / s.Total * 10}%" : $"segments: {s.Phase}" });
                }
            }

            var summary = (await run)!;
            await output.WriteAsync(Describe(summary));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Prints a full recomputation's progress on <paramref name="error"/>: one line per phase
    /// change or 10% step of the needs, not per chunk (also the demo's).
    /// </summary>
    public static Action<FullRecomputeProgress> ProgressPrinter(TextWriter error)
    {
        var last = "";
        return p =>
        {
            var line = p.Phase == "value and needs" && p.Needs.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Phase}: needs {p.Needs.Phase} {p.Needs.Done * 10 / p.Needs.Total * 10}%")
                : p.Phase;
            if (line != last)
            {
                error.WriteLine(line);
                last = line;
            }
        };
    }

    public static string Describe(FullRecomputeSummary s)
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Full recomputation: {s.TotalSeconds:0.0} s (value and needs {s.ValueAndNeedsSeconds:0.0} s, segments {s.SegmentSeconds:0.0} s)"),
        };
        if (s.Value is { } v)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Value: {v.Customers:N0} customers, {v.Buyers:N0} buyers, {v.Changed:N0} changed"));
        }

        if (s.Needs is { } n)
        {
            lines.Add("Needs: " + NeedsCommands.Describe(n).TrimEnd().Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"Segments: {s.Segments.Customers:N0} customers evaluated, {s.Segments.Entered:N0} entered, {s.Segments.Left:N0} left"));
        if (s.Message is { } m)
        {
            lines.Add(m);
        }

        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
