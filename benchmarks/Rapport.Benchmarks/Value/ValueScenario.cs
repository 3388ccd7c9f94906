using System.Diagnostics;
using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Storage.Postgres;
using Rapport.Storage.Sqlite;

namespace Rapport.Benchmarks.Value;

/// <summary>
/// The full value recomputation against a real store: read every customer_value row into
/// arrays, score them in memory, write the scores back (bulk insert into a temporary table +
/// one UPDATE … FROM) and store the population. Run 1 scores every customer for the first time
/// (every row changes); before each later run 1% of customers buy once more, as in a day of
/// trading, and only the rows whose scores moved are written. Seeds the store with a synthetic customer base
/// first (1M customers, about 10M orders between them) unless it already holds that many rows.
///
///     dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- value-scenario
///         [--customers 1000000] [--runs 3] [--store sqlite:PATH | postgres:Host=...;Username=...;Database=...]
/// </summary>
public static class ValueScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        int customers = int.Parse(Option(args, "--customers") ?? "1000000", CultureInfo.InvariantCulture);
        int runs = int.Parse(Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var store = Option(args, "--store") ?? "sqlite:" + Path.Combine(Path.GetTempPath(), $"rapport-value-scenario-{customers}.db");
        await using IDatabase db = store.StartsWith("postgres:", StringComparison.Ordinal)
            ? new PostgresDatabase(store["postgres:".Length..], createDatabaseIfMissing: true)
            : new SqliteDatabase(store.StartsWith("sqlite:", StringComparison.Ordinal) ? store["sqlite:".Length..] : store);
        await SchemaMigrator.MigrateAsync(db);
        Console.WriteLine($"store: {db.DisplayName}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");

        using var writer = new StoreWriter(db, TimeProvider.System, []);
        await SeedAsync(db, writer, customers);
        var recompute = new ValueRecompute(writer, new ValuePopulationCache(), new ValueOptions());
        for (int run = 1; run <= runs; run++)
        {
            if (run > 1)
            {
                // A day later: 1% of customers bought once more (as the projection would record it).
                await using var c = await db.OpenAsync();
                var moved = await c.ExecuteAsync(
                    """
                    UPDATE customer_value SET orders = orders + 1, revenue_e4 = revenue_e4 + 400000, margin_e4 = margin_e4 + 140000,
                      last_order_at = last_order_at + 86400000
                    WHERE customer_id % 100 = @run
                    """,
                    new { run });
                Console.WriteLine($"day {run}: {moved:N0} customers bought again");
            }

            var s = await recompute.RunAsync(rebuild: false, line => Console.WriteLine("  " + line));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"run {run}: {s.Customers:N0} customers ({s.Changed:N0} rows changed): read {s.ReadSeconds:0.00} s, compute {s.ComputeSeconds:0.00} s, write {s.WriteSeconds:0.00} s, total {s.TotalSeconds:0.00} s; " +
                $"top 20% = {s.RevenueShareOfTop:P1} of net revenue; tiers {string.Join(" ", s.Tiers.Select(t => $"{t.Name}={t.Customers}"))}"));
        }

        return 0;
    }

    private static async Task SeedAsync(IDatabase db, StoreWriter writer, int customers)
    {
        await using (var c = await db.OpenAsync())
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customer_value") == customers)
            {
                Console.WriteLine($"seed: {customers:N0} value rows already there");
                return;
            }
        }

        var clock = Stopwatch.StartNew();
        var p = ValuePopulation.Generate(customers);
        Console.WriteLine($"seed: generated {customers:N0} customers with {p.TotalOrders:N0} orders ({clock.Elapsed.TotalSeconds:0.0} s)");
        clock.Restart();
        await writer.WriteAsync(async unit =>
        {
            await unit.Connection.ExecuteAsync("DELETE FROM customer_value", transaction: unit.Transaction, commandTimeout: 600);
            await unit.Connection.ExecuteAsync("DELETE FROM value_population", transaction: unit.Transaction);
            var now = unit.Now;
            await unit.Dialect.BulkInsertAsync(
                unit.Connection,
                unit.Transaction,
                "customer_value",
                CustomerValueSnapshot.Columns,
                Enumerable.Range(0, customers).Select(i => new object?[]
                {
                    (long)(i + 1), p.Orders[i], 0L, p.NetRevenue[i], p.NetRevenue[i] - p.Margin[i], 0L, 0L, 0L, 0L, p.Margin[i],
                    p.NetRevenue[i] / p.Orders[i], p.LastOrderAt[i] - (p.Orders[i] * 86_400_000L), p.LastOrderAt[i],
                    null, null, null, null, null, null, now,
                }));
            return 0;
        });
        Console.WriteLine($"seed: wrote {customers:N0} value rows ({clock.Elapsed.TotalSeconds:0.0} s)");
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
