using Rapport.Cli;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Cli;

/// <summary>`rapport journeys validate` and `library` through the real command tree.</summary>
public sealed class JourneyCommandTests
{
    [Fact]
    public async Task Validate_BadDefinition_Exits2NamingTheStep_AndAGoodOneIs0()
    {
        var bad = await FileAsync("""{"name": "x", "trigger": {"event": "X"}, "steps": [{"id": "a", "type": "send", "template": "t", "next": "b"}, {"id": "b", "type": "condition", "if": "value.orders > 1", "then": "a"}]}""");
        var good = await FileAsync("""{"name": "Good", "trigger": {"event": "X"}, "steps": [{"type": "wait", "duration": "1h"}, {"type": "send", "template": "t"}]}""");

        var (exit, _, err) = await RunAsync("journeys", "validate", bad);
        var ok = await RunAsync("journeys", "validate", good);
        var missing = await RunAsync("journeys", "validate", "/nonexistent/journey.json");

        Assert.Equal(2, exit);
        Assert.Contains("(step 'a'): steps a → b → a form a loop without a wait", err, StringComparison.Ordinal);
        Assert.Equal(0, ok.Exit);
        Assert.Contains("journey 'Good' is valid (2 steps)", ok.Out, StringComparison.Ordinal);
        Assert.Equal(2, missing.Exit);
    }

    [Fact]
    public async Task Validate_WithAStore_ChecksTemplates()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        var file = await FileAsync("""{"name": "Good", "trigger": {"event": "X"}, "steps": [{"type": "send", "template": "welcome"}]}""");

        var (exit, _, err) = await RunAsync("journeys", "validate", file, "--store", db.Store);

        Assert.Equal(2, exit);
        Assert.Contains("there is no template 'welcome'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Library_ListsTheSixReadyMadeJourneys()
    {
        var (exit, output, _) = await RunAsync("journeys", "library");

        Assert.Equal(0, exit);
        Assert.Equal(6, output.Trim().Split('\n').Length);
        Assert.Contains("abandoned-cart\tAbandoned cart recovery", output, StringComparison.Ordinal);
    }

    private static async Task<string> FileAsync(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"journey-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
