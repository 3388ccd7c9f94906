using System.Text.Json.Nodes;
using Rapport.Cli;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Cli;

/// <summary>Runs `rapport segments ...` in-process through the real command tree against a fresh store.</summary>
public sealed class SegmentCommandTests
{
    [Theory, BothStores]
    public async Task Segments_CreateListPreviewRecompute_OnAStoreWithCustomers(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await SeedAsync(db);

        var preview = await RunAsync("segments", "preview", "--store", db.Store, "--text", "traits.plan = \"pro\"");
        var created = await RunAsync("segments", "create", "--store", db.Store, "--name", "Pro", "--text", "traits.plan = 'pro'");
        var list = await RunAsync("segments", "list", "--store", db.Store);
        var recompute = await RunAsync("segments", "recompute", "--store", db.Store);

        Assert.Equal((0, "2 of 3 customers: traits.plan = \"pro\""), (preview.Exit, preview.Out.Split('\n')[0]));
        Assert.Equal(0, created.Exit);
        Assert.Contains("2 members of 3 customers", created.Out, StringComparison.Ordinal);
        Assert.Matches(@"^\d+\tPro\tactive\t2\ttraits.plan = ""pro""", list.Out);
        Assert.Equal((0, "3 customers evaluated: 0 entered, 0 left"), (recompute.Exit, recompute.Out.Trim()));
        Assert.Contains("done", recompute.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BadDefinition_Exits2WithPositionAndReason()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);

        var (exit, _, err) = await RunAsync("segments", "create", "--store", db.Store, "--name", "x", "--text", "bought(last 0 days) and value.revnue > 1");

        Assert.Equal(2, exit);
        Assert.Contains("line 1, column 13: the window must be at least 1 day", err, StringComparison.Ordinal);
        Assert.Contains("line 1, column 25: unknown field 'value.revnue'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_JsonFile_ReadsDefinition()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        await SeedAsync(db);
        var file = Path.Combine(Path.GetTempPath(), $"segment-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"not": {"field": "traits.plan", "op": "=", "value": "pro"}}""");
        try
        {
            var (exit, output, _) = await RunAsync("segments", "preview", "--store", db.Store, "--file", file);

            Assert.Equal(0, exit);
            Assert.StartsWith("1 of 3 customers: not traits.plan = \"pro\"", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Preview_NoDefinition_Exits2()
    {
        var (exit, _, err) = await RunAsync("segments", "preview");

        Assert.Equal(2, exit);
        Assert.Contains("--text", err, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task SeedAsync(IDatabase db)
    {
        var provider = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
        await using (provider)
        {
            var sink = provider.GetRequiredService<IEventSink>();
            foreach (var (user, plan) in new[] { ("ann", "pro"), ("bob", "Pro"), ("cat", "free") })
            {
                var traits = new JsonObject { ["plan"] = plan };
                await sink.IngestAsync([new IncomingEvent($"i-{user}", "identify", null, Channels.Web, user, null, DateTimeOffset.UnixEpoch.AddYears(56), traits, traits.DeepClone().AsObject(), null)]);
            }
        }
    }
}
