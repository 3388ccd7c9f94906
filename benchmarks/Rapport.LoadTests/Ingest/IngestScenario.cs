using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Rapport.LoadTests.Ingest;

/// <param name="Ack">projected (the reply waits for projection) or committed (the reply once the intake commit is durable).</param>
/// <param name="DeferProjection">With committed: accept everything with the projector stopped, then restart with it running and time the drain alone.</param>
internal sealed record IngestOptions(int Events, int Customers, int BatchSize, int Senders, string? Directory, bool Keep, double? Require, string Ack = "projected", bool DeferProjection = false)
{
    public static IngestOptions Parse(string[] args)
    {
        var o = new IngestOptions(1_000_000, 100_000, 250, 4, null, false, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            o = args[i] switch
            {
                "--events" => o with { Events = int.Parse(Next()) },
                "--customers" => o with { Customers = int.Parse(Next()) },
                "--batch" => o with { BatchSize = int.Parse(Next()) },
                "--senders" => o with { Senders = int.Parse(Next()) },
                "--dir" => o with { Directory = Next() },
                "--keep" => o with { Keep = true },
                "--require" => o with { Require = double.Parse(Next()) },
                "--ack" => o with { Ack = Next() switch { "committed" => "committed", "projected" => "projected", _ => throw new ArgumentException("--ack is committed or projected.") } },
                "--defer-projection" => o with { DeferProjection = true },
                var other => throw new ArgumentException($"Unknown option {other}."),
            };
        }

        return o.DeferProjection && o.Ack != "committed" ? throw new ArgumentException("--defer-projection needs --ack committed.") : o;
    }
}

/// <summary>
/// Sustained ingestion: N track events through POST /v1/batch over loopback HTTP into a fresh
/// SQLite store served by the real `rapport serve` process, timed from the first request to the
/// last 200 (a 200 means committed). Then the same rows go into an identical table by a raw
/// prepared-statement insert in one transaction, and the ratio says what the server costs.
/// </summary>
internal static class IngestScenario
{
    public static async Task<int> RunAsync(IngestOptions o)
    {
        var dir = o.Directory ?? Path.Combine(Path.GetTempPath(), $"rapport-ingest-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var store = Path.Combine(dir, "ingest.db");
        var raw = Path.Combine(dir, "raw.db");
        foreach (var f in Directory.GetFiles(dir, "*.db*"))
        {
            File.Delete(f);
        }

        Console.WriteLine($"Rapport ingest: {o.Events:N0} track events, {o.Customers:N0} customers, batches of {o.BatchSize}, {o.Senders} senders");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}");
        var watch = Stopwatch.StartNew();
        var batches = TrackEventGenerator.Generate(o.Events, o.Customers, o.BatchSize);
        var bytes = batches.Sum(b => (long)b.Body.Length);
        Console.WriteLine($"  generated {batches.Count:N0} batches, {bytes / 1024.0 / 1024:N0} MB of JSON (largest {batches.Max(b => b.Body.Length) / 1024} KB) in {watch.Elapsed.TotalSeconds:N1} s");

        var key = await RapportServer.CreateKeyAsync(store, "write");
        string[] ack = ["--ingest-ack", o.Ack];
        var committed = o.Ack == "committed";
        var server = await RapportServer.StartAsync(store, ack, o.DeferProjection ? new Dictionary<string, string> { ["Rapport__Ingest__Projector"] = "false" } : null);
        TimeSpan elapsed;
        TimeSpan serverCpu;
        List<double> latencies;
        TimeSpan? projectedAfter = null;
        var projectionCpu = TimeSpan.Zero;
        await using (server)
        {
            Console.WriteLine($"  server: pid {server.ProcessId}, {server.Address} on {store}, --ingest-ack {o.Ack}{(o.DeferProjection ? ", projector stopped while accepting" : "")}");
            var cpuBefore = server.ProcessorTime;
            (elapsed, latencies) = await SendAsync(server.Address, key, batches, o.Senders);
            serverCpu = server.ProcessorTime - cpuBefore;
            if (committed && !o.DeferProjection)
            {
                // The projector ran alongside; the events are on profiles once the backlog is empty.
                projectedAfter = elapsed + await WaitForEmptyBacklogAsync(server.Address);
                projectionCpu = server.ProcessorTime - cpuBefore;
            }

            await server.StopAsync();
        }

        if (o.DeferProjection)
        {
            // A restart with the projector running: the drain alone, nothing else competing in the process.
            await using var drainer = await RapportServer.StartAsync(store, ack);
            var cpuBefore = drainer.ProcessorTime;
            projectedAfter = await WaitForEmptyBacklogAsync(drainer.Address);
            projectionCpu = drainer.ProcessorTime - cpuBefore;
            await drainer.StopAsync();
        }

        var (stored, customers, orders) = await CountAsync(store);
        var httpRate = o.Events / elapsed.TotalSeconds;
        var loadAfter = LoadAverage();
        latencies.Sort();
        Console.WriteLine();
        Console.WriteLine($"HTTP /v1/batch -> rapport serve -> SQLite, acknowledged ({o.Ack}): {o.Events:N0} events in {elapsed.TotalSeconds:N2} s = {httpRate:N0} events/s (load average at the end {loadAfter})");
        Console.WriteLine($"  request latency p50 {Percentile(latencies, 0.50):N1} ms, p99 {Percentile(latencies, 0.99):N1} ms, max {latencies[^1]:N1} ms");
        Console.WriteLine($"  server CPU while accepting {serverCpu.TotalSeconds:N1} s = {serverCpu.TotalMicroseconds / o.Events:N1} µs/event ({serverCpu.TotalSeconds / elapsed.TotalSeconds * 100:N0}% of one core); stored {stored:N0} events, {customers:N0} customers, {orders:N0} orders");
        var projectedRate = httpRate;
        if (projectedAfter is { } p)
        {
            projectedRate = o.Events / p.TotalSeconds;
            Console.WriteLine(o.DeferProjection
                ? $"Projection alone (restarted with the projector running): backlog empty after {p.TotalSeconds:N2} s = {projectedRate:N0} events/s; server CPU {projectionCpu.TotalSeconds:N1} s = {projectionCpu.TotalMicroseconds / o.Events:N1} µs/event"
                : $"Projection (alongside acceptance): backlog empty {p.TotalSeconds:N2} s after the first request = {projectedRate:N0} events/s on profiles; server CPU in all {projectionCpu.TotalSeconds:N1} s = {projectionCpu.TotalMicroseconds / o.Events:N1} µs/event");
        }

        if (stored != o.Events)
        {
            Console.Error.WriteLine($"error: {stored:N0} events stored, {o.Events:N0} sent and acknowledged.");
            return 1;
        }

        var (rows, ddl) = await RawSqliteInsert.ReadEventsAsync(store);
        SqliteConnection.ClearAllPools();
        var positional = RawSqliteInsert.InsertPositional(raw, ddl, rows);
        var prepared = RawSqliteInsert.Insert(raw, ddl, rows);
        var rawRate = rows.Count / positional.TotalSeconds;
        Console.WriteLine($"Raw SQLite insert of the same rows into an identical table, one transaction:");
        Console.WriteLine($"  SQLite API, bound by position:            {rows.Count:N0} rows in {positional.TotalSeconds:N2} s = {rawRate:N0} rows/s");
        Console.WriteLine($"  Microsoft.Data.Sqlite prepared command:   {rows.Count:N0} rows in {prepared.TotalSeconds:N2} s = {rows.Count / prepared.TotalSeconds:N0} rows/s");
        Console.WriteLine($"Ratio HTTP acknowledged/raw (SQLite API): {httpRate / rawRate:P1} (raw is {rawRate / httpRate:N1}x faster)");
        if (committed)
        {
            Console.WriteLine($"Ratio projected/raw (SQLite API): {projectedRate / rawRate:P1} (raw is {rawRate / projectedRate:N1}x faster)");
        }

        if (!o.Keep && o.Directory is null)
        {
            Directory.Delete(dir, recursive: true);
        }

        if (o.Require is { } required && httpRate < required)
        {
            Console.Error.WriteLine($"error: {httpRate:N0} events/s is below the required {required:N0}.");
            return 1;
        }

        return 0;
    }

    private static async Task<(TimeSpan Elapsed, List<double> LatenciesMs)> SendAsync(Uri address, string key, List<EventBatch> batches, int senders)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        var latencies = new List<double>(batches.Count);
        var sent = 0L;
        var next = -1;
        var watch = Stopwatch.StartNew();
        using var progress = new Timer(_ =>
            Console.WriteLine($"  {watch.Elapsed.TotalSeconds,6:N1} s  {Interlocked.Read(ref sent),10:N0} events  {Interlocked.Read(ref sent) / watch.Elapsed.TotalSeconds,8:N0}/s"),
            null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(batches[i].Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("/v1/batch", content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"Batch {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref sent, batches[i].Count);
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })));
        return (watch.Elapsed, latencies);
    }

    /// <summary>Polls the open /health until the intake is empty; returns how long that took.</summary>
    private static async Task<TimeSpan> WaitForEmptyBacklogAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        var watch = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            using var health = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/health"));
            var ingest = health.RootElement.GetProperty("ingest");
            var left = ingest.GetProperty("backlogEvents").GetInt64();
            if (ingest.GetProperty("backlogRequests").GetInt64() == 0)
            {
                return watch.Elapsed;
            }

            if (watch.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = watch.Elapsed;
                Console.WriteLine($"  {watch.Elapsed.TotalSeconds,6:N1} s  projection backlog {left,10:N0} events");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<(long Events, long Customers, long Orders)> CountAsync(string store)
    {
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = store, Pooling = false }.ToString());
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT (SELECT COUNT(*) FROM events WHERE message_id LIKE '{TrackEventGenerator.MessageIdPrefix}%'), (SELECT COUNT(*) FROM customers WHERE merged_into IS NULL), (SELECT COUNT(*) FROM orders)";
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    /// <summary>The 1-minute load average: on a shared machine it says how much of the 2 cores this run really had.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];
}
