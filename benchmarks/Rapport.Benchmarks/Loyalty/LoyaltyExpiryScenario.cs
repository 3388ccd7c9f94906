using System.Diagnostics;
using System.Globalization;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Loyalty;

/// <summary>
/// The nightly loyalty expiry against a real store: seeds --lots earn lots (10 per customer,
/// earned over the past two years, expiring 365 days after), of which about half are past their
/// date, then runs <see cref="LoyaltyExpiry"/> (two set-based statements: INSERT … SELECT of the
/// expiry entries, one UPDATE of the lots) and times it. Each expired lot writes one ledger entry.
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- loyalty-expiry-scenario
///         [--lots 1000000] [--batch 500000] [--store sqlite:PATH | postgres:Host=...;Username=...;Database=...]
/// </summary>
public static class LoyaltyExpiryScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var lots = int.Parse(Option(args, "--lots") ?? "1000000", CultureInfo.InvariantCulture);
        var store = Option(args, "--store") ?? "sqlite:" + Path.Combine(Path.GetTempPath(), $"rapport-loyalty-expiry-{lots}.db");
        await using IDatabase db = store.StartsWith("postgres:", StringComparison.Ordinal)
            ? new PostgresDatabase(store["postgres:".Length..], createDatabaseIfMissing: true)
            : new SqliteDatabase(store.StartsWith("sqlite:", StringComparison.Ordinal) ? store["sqlite:".Length..] : store);
        await SchemaMigrator.MigrateAsync(db);
        Console.WriteLine($"store: {db.DisplayName}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

        var now = new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
        using var writer = new StoreWriter(db, new FixedClock(now), []);
        var clock = Stopwatch.StartNew();
        await writer.WriteAsync(async unit =>
        {
            await unit.Connection.ExecuteAsync("DELETE FROM loyalty_entries; DELETE FROM loyalty_lots;", transaction: unit.Transaction);
            var random = new Random(7);
            var twoYears = (long)TimeSpan.FromDays(730).TotalMilliseconds;
            var year = (long)TimeSpan.FromDays(365).TotalMilliseconds;
            var nowMs = UnixTime.ToStorage(now);
            await unit.Dialect.BulkInsertAsync(
                unit.Connection,
                unit.Transaction,
                "loyalty_lots",
                ["customer_id", "recorded_for", "kind", "points", "remaining", "expired", "reversed", "earned_at", "expires_at", "order_id"],
                Enumerable.Range(0, lots).Select(i =>
                {
                    var earned = nowMs - (long)(random.NextDouble() * twoYears);
                    var points = (long)random.Next(1, 500);
                    var remaining = random.Next(4) == 0 ? 0 : points; // a quarter already spent
                    return new object?[] { (long)(i / 10), (long)(i / 10), "earn", points, remaining, 0L, 0L, earned, earned + year, null };
                }));
            return 0;
        });
        Console.WriteLine($"seed: {lots:N0} lots in {clock.Elapsed.TotalSeconds:0.0} s");

        var batch = int.Parse(Option(args, "--batch") ?? "500000", CultureInfo.InvariantCulture);
        var expiry = new LoyaltyExpiry(writer, new LoyaltyProgramStore(db, TimeProvider.System)) { BatchLots = batch };
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var s = await expiry.RunAsync();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await using var c = await db.OpenAsync();
        var entries = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM loyalty_entries");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"expiry: {s.LotsExpired:N0} lots ({s.PointsExpired:N0} points) expired, {entries:N0} ledger entries written, in {s.ExpirySeconds:0.00} s ({s.LotsExpired / Math.Max(s.ExpirySeconds, 1e-9):N0} lots/s) in batches of {batch:N0}; " +
            $"this process's CPU (user+sys) {cpu.TotalSeconds:0.00} s (SQLite runs in-process; a PostgreSQL server's CPU is not counted); load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        var again = await expiry.RunAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second run (nothing due): {again.LotsExpired:N0} lots in {again.ExpirySeconds:0.000} s"));
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
