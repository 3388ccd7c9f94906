using System.CommandLine;

namespace Rapport.Cli;

/// <summary>The `rapport` command tree. Each feature contributes its commands from its own file.</summary>
internal static class RapportCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Rapport: one-to-one relationship marketing engine");
        root.Subcommands.Add(ImportCommands.Create());
        var parse = root.Parse(args);
        return await parse.InvokeAsync();
    }
}
