using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using static Rapport.Tests.Collect.CrashDurabilityTests;

namespace Rapport.Tests.Collect;

/// <summary>
/// Committed acknowledgement (`rapport serve --ingest-ack committed`): a success reply means the
/// request is in the durable intake. A real process is SIGKILLed right after a success reply;
/// what it accepted must be projected after a restart, each message exactly once.
/// </summary>
public sealed class CommittedCrashDurabilityTests
{
    private static readonly string[] Committed = ["--ingest-ack", "committed"];

    [Fact]
    public async Task Committed_KilledWithTheProjectorStopped_IntakeHeldEveryAcknowledgedEvent_ProjectedOnceAfterRestart()
    {
        using var temp = new TempStore("crash-intake");
        var batches = MakeBatches("intake");
        var crash = await SendAndKillAsync(temp.DatabasePath, batches, () => RapportProcess.StartAsync(
            temp.DatabasePath, Committed, new Dictionary<string, string> { ["Rapport__Ingest__Projector"] = "false" }));

        // The replies came before any projection: the events table is empty, the intake holds them all.
        var inIntake = await MessageIdsInIntakeAsync(temp.DatabasePath);
        Assert.Empty(await CountByMessageIdAsync(temp.DatabasePath));
        Assert.True(crash.Acknowledged.Count >= AcknowledgedBatchesBeforeKill * BatchSize, crash.ServerOutput);
        Assert.All(crash.Acknowledged, id => Assert.Equal(1, inIntake.GetValueOrDefault(id)));

        await using (var server = await RapportProcess.StartAsync(temp.DatabasePath, Committed))
        {
            await WaitForEmptyBacklogAsync(server);
        }

        var stored = await CountByMessageIdAsync(temp.DatabasePath);
        Assert.All(crash.Acknowledged, id => Assert.Equal(1, stored.GetValueOrDefault(id)));
        Assert.Equal(inIntake.Keys.Order(), stored.Keys.Where(k => k.StartsWith("intake-", StringComparison.Ordinal)).Order());
        Assert.Equal(0L, await ScalarAsync<long>(temp.DatabasePath, "SELECT COUNT(*) FROM event_intake"));
    }

    [Fact]
    public async Task Committed_KilledWhileProjecting_ThenEverythingResent_EachEventStoredExactlyOnce()
    {
        using var temp = new TempStore("crash-projecting");
        var batches = MakeBatches("projecting");
        var crash = await SendAndKillAsync(temp.DatabasePath, batches, () => RapportProcess.StartAsync(temp.DatabasePath, Committed));

        await using (var server = await RapportProcess.StartAsync(temp.DatabasePath, Committed))
        {
            await WaitForEmptyBacklogAsync(server);
            var afterRestart = await CountByMessageIdAsync(temp.DatabasePath);
            Assert.All(crash.Acknowledged, id => Assert.Equal(1, afterRestart.GetValueOrDefault(id)));

            // A client that saw no reply retries everything: some copies meet their first copy
            // in the intake, others meet it already projected.
            await ResendAllAsync(server, crash.WriteKey, batches);
            await ResendAllAsync(server, crash.WriteKey, batches);
            await WaitForEmptyBacklogAsync(server);
        }

        var stored = await CountByMessageIdAsync(temp.DatabasePath);
        var all = batches.SelectMany(b => b.MessageIds).ToList();
        Assert.Equal(all.Count, stored.Count(kv => kv.Key.StartsWith("projecting-", StringComparison.Ordinal)));
        Assert.All(all, id => Assert.Equal(1, stored.GetValueOrDefault(id)));
        Assert.Equal("ok", await ScalarAsync<string>(temp.DatabasePath, "PRAGMA integrity_check"));
    }

    /// <summary>Polls the open /health until the projector has drained the intake (2 minutes at most).</summary>
    internal static async Task WaitForEmptyBacklogAsync(RapportProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        var deadline = TimeSpan.FromMinutes(2);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var health = (await http.GetFromJsonAsync<JsonObject>("/health"))!;
            var ingest = health["ingest"]!;
            if (ingest["backlogRequests"]!.GetValue<long>() == 0)
            {
                Assert.Equal(0L, ingest["failedRequests"]!.GetValue<long>());
                return;
            }

            Assert.True(waited.Elapsed < deadline, $"The intake still holds {ingest["backlogEvents"]} events after {deadline}.\n{server.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every message id in the intake's stored request bodies, with how often it occurs.</summary>
    private static async Task<Dictionary<string, long>> MessageIdsInIntakeAsync(string path)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM event_intake";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var body = JsonDocument.Parse((byte[])reader.GetValue(0));
            foreach (var message in body.RootElement.GetProperty("batch").EnumerateArray())
            {
                var id = message.GetProperty("messageId").GetString()!;
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
