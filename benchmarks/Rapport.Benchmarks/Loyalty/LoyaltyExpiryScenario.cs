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
/// earned over the past two years, expiring 365 days after, a quarter spent) with their ledger
/// entries (1.25 per lot); about half are past their date and 37.5% still hold points. Then runs
/// <see cref="LoyaltyExpiry"/> (per batch of lot ids, an INSERT … SELECT of the expiry entries and
/// one UPDATE of the lots) and times it. Each expired lot writes one ledger entry.
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- loyalty-expiry-scenario
///         [--lots 1000000] [--batch 1000000] [--store sqlite:PATH | postgres:Host=...;Username=...;Database=...]
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
        await SeedAsync(writer, lots, UnixTime.ToStorage(now));
        Console.WriteLine($"seed: {lots:N0} lots and their ledger entries in {clock.Elapsed.TotalSeconds:0.0} s");

        var batch = int.Parse(Option(args, "--batch") ?? "1000000", CultureInfo.InvariantCulture);
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

    /// <summary>
    /// Lots 10 per customer, earned at pseudo-random times over the past two years (so half
    /// are past their date), a quarter of them spent; and the ledger a real store would hold
    /// for them: one earn entry per lot in earning-time order, one redeem entry per spent lot.
    /// Generated inside the store (a recursive CTE, both stores) in steps of a million lots.
    /// </summary>
    private static async Task SeedAsync(StoreWriter writer, int lots, long nowMs)
    {
        var twoYears = (long)TimeSpan.FromDays(730).TotalMilliseconds;
        var year = (long)TimeSpan.FromDays(365).TotalMilliseconds;
        await writer.WriteAsync(async unit =>
            await unit.Connection.ExecuteAsync("DELETE FROM loyalty_entries; DELETE FROM loyalty_lots;", transaction: unit.Transaction));
        for (var first = 0L; first < lots; first += 1_000_000)
        {
            var last = Math.Min(lots, first + 1_000_000) - 1;
            await writer.WriteAsync(async unit =>
                await unit.Connection.ExecuteAsync(
                    """
                    INSERT INTO loyalty_lots (id, customer_id, recorded_for, kind, points, remaining, expired, reversed, earned_at, expires_at, order_id)
                    WITH RECURSIVE n(i) AS (SELECT @first UNION ALL SELECT i + 1 FROM n WHERE i < @last),
                    v(i, earned, points, spent) AS (
                      SELECT i, @now - (i * 2654435761 % 1000003) * (@twoYears / 1000003), 1 + i * 40503 % 499, i * 2246822519 % 4 FROM n)
                    SELECT i + 1, i / 10, i / 10, 'earn', points, CASE WHEN spent = 0 THEN 0 ELSE points END, 0, 0, earned, earned + @year, NULL FROM v
                    """,
                    new { first, last, now = nowMs, twoYears, year },
                    unit.Transaction,
                    commandTimeout: 0));
        }

        await writer.WriteAsync(async unit =>
        {
            await unit.Connection.ExecuteAsync(
                """
                INSERT INTO loyalty_entries (customer_id, recorded_for, lot_id, operation_id, kind, points, at)
                SELECT customer_id, recorded_for, id, NULL, 'earn', points, earned_at FROM loyalty_lots ORDER BY earned_at;
                INSERT INTO loyalty_entries (customer_id, recorded_for, lot_id, operation_id, kind, points, at)
                SELECT customer_id, recorded_for, id, NULL, 'redeem', -points, earned_at + 1 FROM loyalty_lots WHERE remaining = 0 ORDER BY earned_at;
                """,
                transaction: unit.Transaction,
                commandTimeout: 0);
            return 0;
        });
        if (writer.Database.Dialect.Name == "postgres")
        {
            await using var c = await writer.Database.OpenAsync();
            await c.ExecuteAsync("SELECT setval(pg_get_serial_sequence('loyalty_lots', 'id'), @lots); ANALYZE loyalty_lots; ANALYZE loyalty_entries;", new { lots = (long)lots });
        }
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
