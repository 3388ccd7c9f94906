using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Rapport.Tests.Collect;

/// <summary>
/// "A success reply means the events are committed": a real `rapport serve` process is killed
/// with SIGKILL the moment its last reply arrives, and the SQLite file is then read directly.
/// </summary>
public sealed class CrashDurabilityTests
{
    internal const int BatchSize = 250;
    internal const int AcknowledgedBatchesBeforeKill = 40;
    private const int ExtraBatchesInFlight = 24;
    private const int Senders = 8;

    [Fact]
    public async Task Batch_ServerKilledRightAfterLastSuccessReply_EveryAcknowledgedEventStoredOnce()
    {
        using var temp = new TempStore("crash");
        var batches = MakeBatches("kill");

        var crash = await SendAndKillAsync(temp.DatabasePath, batches);

        Assert.True(crash.Acknowledged.Count >= AcknowledgedBatchesBeforeKill * BatchSize,
            $"Only {crash.Acknowledged.Count} events were acknowledged before the kill.\n{crash.ServerOutput}");
        var stored = await CountByMessageIdAsync(temp.DatabasePath);
        var lost = crash.Acknowledged.Where(id => !stored.ContainsKey(id)).ToList();
        Assert.True(lost.Count == 0,
            $"{lost.Count} of {crash.Acknowledged.Count} acknowledged events are missing after SIGKILL, e.g. {string.Join(", ", lost.Take(5))}.");
        Assert.All(crash.Acknowledged, id => Assert.Equal(1, stored[id]));
        Assert.Equal("ok", await ScalarAsync<string>(temp.DatabasePath, "PRAGMA integrity_check"));
    }

    [Fact]
    public async Task Batch_SameBatchesResentToRestartedServerAfterKill_EachEventStoredExactlyOnce()
    {
        using var temp = new TempStore("crash-retry");
        var batches = MakeBatches("retry");
        var crash = await SendAndKillAsync(temp.DatabasePath, batches);
        var afterCrash = await CountByMessageIdAsync(temp.DatabasePath);
        var allIds = batches.SelectMany(b => b.MessageIds).ToHashSet(StringComparer.Ordinal);

        // A client that saw no reply (or a broken connection) retries everything: acknowledged or not.
        await using (var server = await RapportProcess.StartAsync(temp.DatabasePath))
        {
            await ResendAllAsync(server, crash.WriteKey, batches);
        }

        var afterFirstRetry = await CountByMessageIdAsync(temp.DatabasePath);
        var customersAfterFirstRetry = await ScalarAsync<long>(temp.DatabasePath, "SELECT COUNT(*) FROM customers");
        var identifiersAfterFirstRetry = await ScalarAsync<long>(temp.DatabasePath, "SELECT COUNT(*) FROM identifiers");

        await using (var server = await RapportProcess.StartAsync(temp.DatabasePath))
        {
            await ResendAllAsync(server, crash.WriteKey, batches);
        }

        var afterSecondRetry = await CountByMessageIdAsync(temp.DatabasePath);

        Assert.All(crash.Acknowledged, id => Assert.Equal(1, afterCrash[id]));
        Assert.Equal(allIds.Count, afterFirstRetry.Count);
        Assert.All(allIds, id => Assert.Equal(1, afterFirstRetry.GetValueOrDefault(id)));
        Assert.Equal(afterFirstRetry, afterSecondRetry);
        Assert.Equal(customersAfterFirstRetry, await ScalarAsync<long>(temp.DatabasePath, "SELECT COUNT(*) FROM customers"));
        Assert.Equal(identifiersAfterFirstRetry, await ScalarAsync<long>(temp.DatabasePath, "SELECT COUNT(*) FROM identifiers"));
    }

    internal sealed record Batch(string Json, IReadOnlyList<string> MessageIds);

    internal sealed record CrashOutcome(string WriteKey, HashSet<string> Acknowledged, string ServerOutput);

    /// <summary>
    /// Sends every batch with <see cref="Senders"/> concurrent clients and SIGKILLs the server
    /// the instant the <see cref="AcknowledgedBatchesBeforeKill"/>th success reply arrives, while
    /// other batches are still in flight.
    /// </summary>
    /// <param name="start">Starts the server on the store (default: `rapport serve` as configured out of the box).</param>
    internal static async Task<CrashOutcome> SendAndKillAsync(string store, IReadOnlyList<Batch> batches, Func<Task<RapportProcess>>? start = null)
    {
        var writeKey = await RapportProcess.CreateKeyAsync(store, "write");
        var server = await (start ?? (() => RapportProcess.StartAsync(store)))();
        await using var _ = server;
        using var http = Client(server.Address, writeKey);

        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var gate = new object();
        var replies = 0;
        var killed = false;
        var next = -1;
        var senders = Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count && !Volatile.Read(ref killed))
            {
                HttpResponseMessage response;
                try
                {
                    response = await http.PostAsync("/v1/batch", new StringContent(batches[i].Json, Encoding.UTF8, "application/json"));
                }
                catch (HttpRequestException)
                {
                    continue; // The server died mid-request: no reply, so no promise was made.
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Assert.Fail($"Batch {i} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                lock (gate)
                {
                    acknowledged.UnionWith(batches[i].MessageIds);
                    if (++replies == AcknowledgedBatchesBeforeKill)
                    {
                        server.Kill();
                        killed = true;
                    }
                }
            }
        }).ToList();
        await Task.WhenAll(senders);

        Assert.True(killed, $"The server was never killed: only {replies} replies arrived.\n{server.Output}");
        return new CrashOutcome(writeKey, acknowledged, server.Output);
    }

    internal static async Task ResendAllAsync(RapportProcess server, string writeKey, IReadOnlyList<Batch> batches)
    {
        using var http = Client(server.Address, writeKey);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                using var response = await http.PostAsync("/v1/batch", new StringContent(batches[i].Json, Encoding.UTF8, "application/json"));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"Resent batch {i} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }));
    }

    internal static HttpClient Client(Uri address, string writeKey)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));
        return http;
    }

    /// <summary>Shop traffic for 400 customers: anonymous views and adds, identifies that link devices, orders.</summary>
    internal static List<Batch> MakeBatches(string run)
    {
        var batches = new List<Batch>();
        var total = (AcknowledgedBatchesBeforeKill + ExtraBatchesInFlight) * BatchSize;
        var start = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        for (var b = 0; b * BatchSize < total; b++)
        {
            var items = new JsonArray();
            var ids = new List<string>(BatchSize);
            for (var j = 0; j < BatchSize; j++)
            {
                var n = (b * BatchSize) + j;
                var customer = n % 400;
                var messageId = $"{run}-{n:D6}";
                var message = (n / 400 % 5) switch
                {
                    0 => new JsonObject { ["type"] = "page", ["name"] = "Home", ["properties"] = new JsonObject { ["path"] = "/" } },
                    1 => new JsonObject
                    {
                        ["type"] = "identify", ["userId"] = $"{run}-user-{customer}",
                        ["traits"] = new JsonObject { ["email"] = $"c{customer}@{run}.example", ["name"] = $"Customer {customer}" },
                    },
                    2 => Track("Product Added", new JsonObject { ["product_id"] = $"sku-{n % 50}", ["price"] = 12.5, ["quantity"] = 1 }),
                    3 => Track("Order Completed", new JsonObject
                    {
                        ["order_id"] = $"{run}-order-{n}", ["total"] = 12.5, ["currency"] = "EUR",
                        ["products"] = new JsonArray(new JsonObject { ["product_id"] = $"sku-{n % 50}", ["price"] = 12.5, ["quantity"] = 1 }),
                    }),
                    _ => Track("Product Viewed", new JsonObject { ["product_id"] = $"sku-{n % 50}", ["price"] = 12.5 }),
                };
                message["messageId"] = messageId;
                message["anonymousId"] = $"{run}-anon-{customer}";
                message["timestamp"] = start.AddSeconds(n).ToString("O");
                items.Add(message);
                ids.Add(messageId);
            }

            batches.Add(new Batch(new JsonObject { ["batch"] = items }.ToJsonString(), ids));
        }

        return batches;

        static JsonObject Track(string name, JsonObject properties) =>
            new() { ["type"] = "track", ["event"] = name, ["properties"] = properties };
    }

    internal static async Task<Dictionary<string, long>> CountByMessageIdAsync(string path)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_id, COUNT(*) FROM events GROUP BY message_id";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    internal static async Task<T> ScalarAsync<T>(string path, string sql)
    {
        await using var connection = await OpenAsync(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A plain connection, not the server's code: the file alone must hold the truth.</summary>
    internal static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
