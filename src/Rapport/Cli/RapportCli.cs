using System.CommandLine;

namespace Rapport.Cli;

/// <summary>The `rapport` command tree. Each feature contributes its commands from its own file.</summary>
internal static class RapportCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Rapport: one-to-one relationship marketing engine");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(KeysCommands.Create());
        var clv = ClvCommands.Create();
        clv.Subcommands.Add(ValueCommands.Refit());
        root.Subcommands.Add(clv);
        root.Subcommands.Add(ValueCommands.Create());
        root.Subcommands.Add(ImportCommands.Create());
        root.Subcommands.Add(SegmentCommands.Create());
        root.Subcommands.Add(NeedsCommands.Create());
        root.Subcommands.Add(RecomputeCommand.Create());
        root.Subcommands.Add(RecsCommands.Create());
        root.Subcommands.Add(LoyaltyCommands.Create());
        root.Subcommands.Add(DashboardCommands.Create());
        root.Subcommands.Add(JourneyCommands.Create());
        root.Subcommands.Add(ErasureCommands.Create());
        root.Subcommands.Add(StaffCommands.Create());
        return root;
    }

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs a command; user mistakes become one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = Build().Parse(args);
            if (parse.Errors.Count > 0 && args.Length > 0)
            {
                foreach (var e in parse.Errors)
                {
                    await error.WriteLineAsync($"error: {e.Message}");
                }

                await error.WriteLineAsync("Run `rapport --help` (or `rapport COMMAND --help`) for usage.");
                return 2;
            }

            return await parse.InvokeAsync(config, ct);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or FormatException
                                       or System.Data.Common.DbException or InvalidDataException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }
}
