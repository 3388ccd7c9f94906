using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Value;
using Rapport.Engine.Clv;

namespace Rapport.Core.Tests.Value;

/// <summary>One sale as a test writes it straight into the store: a customer (by store number), a time and a total.</summary>
public readonly record struct TestSale(string Customer, DateTimeOffset At, decimal Total);

/// <summary>Fills a store with known sales the way an import does (customers, orders, then the value rows).</summary>
public static class ValueTestData
{
    /// <summary>Creates the customers, one single-line order per sale, and their value rows; returns store number → customer id.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> InsertSalesAsync(StoreWriter writer, IReadOnlyList<TestSale> sales)
    {
        var resolver = new Rapport.Core.Identity.IdentityResolver();
        var ids = await writer.WriteAsync(async unit =>
        {
            var customers = await resolver.EnsureAsync(
                unit, "store_customer_no", sales.Select(s => s.Customer).Distinct(), sales.Min(s => UnixTime.ToStorage(s.At)));
            var orders = sales.Select((s, i) => new object?[]
            {
                $"T{i:D7}", "sale", customers[s.Customer], "store_customer_no", s.Customer, "store", "completed",
                UnixTime.ToStorage(s.At), "GBP", Money.ToStorage(s.Total), 0L, Money.ToStorage(s.Total), "test", null,
            });
            await unit.Dialect.BulkInsertAsync(
                unit.Connection,
                unit.Transaction,
                "orders",
                ["order_id", "kind", "customer_id", "id_kind", "id_value", "channel", "status", "placed_at", "currency", "subtotal_e4", "discount_e4", "total_e4", "source", "message_id"],
                orders);
            await unit.Dialect.BulkInsertAsync(
                unit.Connection,
                unit.Transaction,
                "order_lines",
                ["order_id", "line_no", "sku", "quantity", "unit_price_e4", "discount_e4"],
                sales.Select((s, i) => new object?[] { $"T{i:D7}", 1L, "GOODS", 1L, Money.ToStorage(s.Total), 0L }));
            return customers;
        });
        await CustomerValueUpdater.AfterImportAsync(writer, ids.Values.ToList());
        return ids;
    }

    /// <summary>Customers drawn from BG/NBD + Gamma-Gamma at the CDNOW estimates over 39 weeks (fixed seed).</summary>
    public static List<TestSale> Simulated(int customers, int seed = 42) =>
        BgNbdSimulator.Simulate(
                new BgNbdModel(0.243, 4.414, 0.793, 2.426),
                new GammaGammaModel(6.25, 3.74, 15.44),
                customers,
                new DateOnly(2025, 1, 1),
                84,
                new DateOnly(2025, 9, 30),
                new Random(seed))
            .Select(t => new TestSale(t.CustomerId, new DateTimeOffset(t.Date.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), decimal.Round(t.Amount, 2)))
            .ToList();

    public static async Task<CustomerValueSnapshot> ValueAsync(IDatabase db, long customer)
    {
        await using var c = await db.OpenAsync();
        return await ValueQueries.ReadValueAsync(c, null, customer) ?? throw new InvalidOperationException($"customer {customer} has no value row");
    }

    public static async Task<long> CountAsync(IDatabase db, string sql, object? parameters = null)
    {
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>(sql, parameters);
    }

    public static async Task SetUnitCostAsync(IDatabase db, string sku, decimal cost, decimal price)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            """
            INSERT INTO products (sku, name, price_e4, unit_cost_e4, updated_at) VALUES (@sku, @sku, @price, @cost, 0)
            ON CONFLICT (sku) DO UPDATE SET unit_cost_e4 = excluded.unit_cost_e4
            """,
            new { sku, cost = Money.ToStorage(cost), price = Money.ToStorage(price) });
    }

    public static string Day(int i) => i.ToString("D3", CultureInfo.InvariantCulture);
}

/// <summary>The value services over a <see cref="CoreHarness"/>, wired as the server wires them.</summary>
internal sealed class ValueServices(CoreHarness h, ValueOptions? options = null)
{
    public ValueOptions Options { get; } = options ?? new ValueOptions();

    public ValueRecompute Recompute => field ??= new ValueRecompute(h.Writer, h.Population, Options);

    public ClvRefit Refit => field ??= new ClvRefit(h.Writer, Options);

    public CustomerCosts Costs => field ??= new CustomerCosts(h.Writer, h.Population);

    public ValueQueries Queries => field ??= new ValueQueries(h.Db);
}
