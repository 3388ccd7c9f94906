using System.CommandLine;
using System.Text.Json.Nodes;
using Rapport.Core.Segments;
using Rapport.Engine.Segments;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>
/// <c>rapport segments create|list|preview|recompute</c> against a store. A definition mistake
/// exits with code 2 and one line per mistake: its position and the reason.
/// </summary>
internal static class SegmentCommands
{
    public static Command Create()
    {
        var segments = new Command("segments", "Create, list, preview and recompute segments");
        segments.Subcommands.Add(CreateSegment());
        segments.Subcommands.Add(List());
        segments.Subcommands.Add(Preview());
        segments.Subcommands.Add(Recompute());
        return segments;
    }

    private static Command CreateSegment()
    {
        var store = CliOptions.Store();
        var name = new Option<string>("--name") { Description = "The segment's name (unique)", Required = true };
        var (text, file) = DefinitionOptions();
        var command = new Command("create", "Save a segment and compute its members") { store, name, text, file };
        command.SetAction(async (parse, ct) =>
        {
            var definition = await ReadDefinitionAsync(parse.GetValue(text), parse.GetValue(file), ct);
            await using var services = await OpenAsync(parse.GetValue(store), ct);
            var created = await services.Segments.CreateAsync(parse.GetValue(name)!, definition, ct)
                          ?? throw new UsageException($"A segment named '{parse.GetValue(name)}' exists already; see `rapport segments list`.");
            await created.Job.Completion.WaitAsync(ct);
            if (await FailedAsync(created.Job, parse.InvocationConfiguration.Error) is not { } status)
            {
                return 1;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"segment {created.Id} '{parse.GetValue(name)}': {definition.Text}\n{status.Entered} members of {status.Customers} customers");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var store = CliOptions.Store();
        var command = new Command("list", "List segments: id, name, status, members, definition") { store };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await OpenAsync(parse.GetValue(store), ct);
            foreach (var s in await services.Store.ListAsync(ct))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"{s.Id}\t{s.Name}\t{s.Status}\t{s.Members}\t{s.Text}");
            }

            return 0;
        });
        return command;
    }

    private static Command Preview()
    {
        var store = CliOptions.Store();
        var (text, file) = DefinitionOptions();
        var sample = new Option<int>("--sample") { Description = "How many member ids to show", DefaultValueFactory = _ => 10 };
        var command = new Command("preview", "How many customers a definition selects now, without saving it") { store, text, file, sample };
        command.SetAction(async (parse, ct) =>
        {
            var definition = await ReadDefinitionAsync(parse.GetValue(text), parse.GetValue(file), ct);
            await using var services = await OpenAsync(parse.GetValue(store), ct);
            var preview = await services.Segments.PreviewAsync(definition, Math.Clamp(parse.GetValue(sample), 0, 1000), ct);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{preview.Count} of {preview.Customers} customers: {preview.Text}");
            await output.WriteLineAsync(preview.Sample.Count == 0 ? "" : "sample: " + string.Join(" ", preview.Sample));
            return 0;
        });
        return command;
    }

    private static Command Recompute()
    {
        var store = CliOptions.Store();
        var command = new Command("recompute", "Recompute every segment's members from the store, showing progress") { store };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await OpenAsync(parse.GetValue(store), ct);
            var job = services.Segments.Recompute();
            var error = parse.InvocationConfiguration.Error;
            string? last = null;
            while (!job.Completion.IsCompleted)
            {
                await Task.WhenAny(job.Completion, Task.Delay(500, ct));
                var s = job.Status;
                var line = s.Total > 0 ? $"{s.Phase} {s.Done:N0}/{s.Total:N0}" : $"{s.Phase} {s.Done:N0}";
                if (line != last)
                {
                    await error.WriteLineAsync(line);
                    last = line;
                }
            }

            if (await FailedAsync(job, error) is not { } status)
            {
                return 1;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{status.Customers} customers evaluated: {status.Entered} entered, {status.Left} left");
            return 0;
        });
        return command;
    }

    private static (Option<string?> Text, Option<string?> File) DefinitionOptions() =>
    (
        new Option<string?>("--text") { Description = "The definition in text form, e.g. 'bought(last 30 days) and value.orders >= 2' (see docs/segments.md)" },
        new Option<string?>("--file") { Description = "A file with the definition as JSON" });

    private static async Task<SegmentDefinition> ReadDefinitionAsync(string? text, string? file, CancellationToken ct)
    {
        if ((text is null) == (file is null))
        {
            throw new UsageException("Give the definition with --text 'TEXT' or --file FILE.json (one of them).");
        }

        var result = text is not null
            ? SegmentDefinition.Parse(text)
            : SegmentDefinition.FromJson(await File.ReadAllTextAsync(file!, ct));
        return result.Definition
               ?? throw new UsageException("the definition has mistakes:\n" + string.Join("\n", result.Errors.Select(e => $"  {e.Position}: {e.Reason}")));
    }

    /// <summary>The finished job's status, or null after saying why it failed.</summary>
    private static async Task<RecomputeStatus?> FailedAsync(RecomputeJob job, TextWriter error)
    {
        if (job.Status is { State: "done" } status)
        {
            return status;
        }

        await error.WriteLineAsync($"error: computing memberships failed: {job.Status.Error}");
        return null;
    }

    private static async Task<Services> OpenAsync(string? store, CancellationToken ct)
    {
        var db = await StoreFactory.OpenMigratedAsync(store, ct);
        var provider = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
        return new Services(db, provider);
    }

    /// <summary>The object graph the server uses, over one store, disposed together.</summary>
    private sealed class Services(Core.Storage.IDatabase db, ServiceProvider provider) : IAsyncDisposable
    {
        public SegmentService Segments => provider.GetRequiredService<SegmentService>();

        public SegmentStore Store => provider.GetRequiredService<SegmentStore>();

        public async ValueTask DisposeAsync()
        {
            await provider.DisposeAsync();
            await db.DisposeAsync();
        }
    }
}
