using System.CommandLine;
using System.Text.Json.Nodes;
using Rapport.Core.Journeys;
using Rapport.Engine.Journeys;
using Rapport.Engine.Segments;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>
/// <c>rapport journeys validate FILE [--store S]</c>: checks a definition before it is posted.
/// Without a store only the definition itself is checked; with one, also that its templates and
/// segments exist. Mistakes exit with code 2, one line each: path, step and the fix.
/// <c>rapport journeys library</c> lists the ready-made journeys.
/// </summary>
internal static class JourneyCommands
{
    public static Command Create()
    {
        var journeys = new Command("journeys", "Check journey definitions; list the ready-made journeys");
        journeys.Subcommands.Add(Validate());
        journeys.Subcommands.Add(Library());
        return journeys;
    }

    private static Command Validate()
    {
        var store = CliOptions.Store();
        var file = new Argument<FileInfo>("FILE") { Description = "The journey definition (JSON)" };
        var command = new Command("validate", "Check a journey definition (with --store: also its templates and segments)") { file, store };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"There is no file {path.FullName}.");
            }

            var text = await File.ReadAllTextAsync(path.FullName, ct);
            JourneyDefinition? journey;
            IReadOnlyList<JourneyError> errors;
            if (parse.GetValue(store) is { } s)
            {
                if (JsonNode.Parse(text) is not JsonObject body)
                {
                    throw new UsageException($"{path.Name}: a journey is a JSON object with name, trigger and steps.");
                }

                var db = await StoreFactory.OpenMigratedAsync(s, ct);
                await using (db)
                {
                    var provider = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
                    await using (provider)
                    {
                        (journey, errors) = await provider.GetRequiredService<JourneyStore>().ValidateAsync(body, ct);
                    }
                }
            }
            else
            {
                (journey, errors) = JourneyParser.Parse(text, JourneyReferences.None with { Fields = SegmentFields.Default });
            }

            if (journey is null)
            {
                throw new UsageException($"{path.Name} is not a valid journey:\n" + string.Join('\n', errors.Select(e => "  " + e)));
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"{path.Name}: journey '{journey.Name}' is valid ({journey.Steps.Count} steps)");
            return 0;
        });
        return command;
    }

    private static Command Library()
    {
        var command = new Command("library", "List the ready-made journeys (install with POST /v1/journeys/library/KEY)");
        command.SetAction(async (parse, ct) =>
        {
            foreach (var j in JourneyLibrary.All)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"{j.Key}\t{j.Name}\t{j.Description}");
            }

            return 0;
        });
        return command;
    }
}
