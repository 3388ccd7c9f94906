using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Clv;
using Rapport.Engine.Identity;

namespace Rapport.Core.Demo;

/// <summary>Reads what the demo needs back out of the store after the import.</summary>
public static class DemoData
{
    public static async Task<(List<DemoCustomer> Customers, List<DemoProduct> Products)> LoadAsync(IDatabase db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var bought = await c.QueryAsync<(string Number, string Sku, long LastAt)>(
            $"""
            SELECT i.value, l.sku, MAX(o.placed_at)
            FROM identifiers i
            JOIN orders o ON o.customer_id = i.customer_id AND o.kind = 'sale'
            JOIN order_lines l ON l.order_id = o.order_id
            WHERE i.kind = '{Identifier.StoreCustomerNo}'
            GROUP BY i.value, l.sku
            """);
        var customers = bought
            .GroupBy(b => b.Number)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DemoCustomer(
                g.Key,
                g.OrderByDescending(x => x.LastAt).ThenBy(x => x.Sku, StringComparer.Ordinal).Take(20).Select(x => x.Sku).ToList(),
                UnixTime.FromStorage(g.Max(x => x.LastAt))))
            .ToList();
        var products = (await c.QueryAsync<(string Sku, string Name, long? Price)>(
            """
            SELECT p.sku, p.name, p.price_e4 FROM products p
            JOIN (SELECT sku, COUNT(*) AS n FROM order_lines GROUP BY sku) s ON s.sku = p.sku
            WHERE p.price_e4 > 0
            ORDER BY s.n DESC, p.sku
            LIMIT 2000
            """))
            .Select(p => new DemoProduct(p.Sku, p.Name, Money.FromStorage(p.Price ?? 0)))
            .ToList();
        return (customers, products);
    }

    /// <summary>One transaction per known customer's sale, for the CLV models.</summary>
    public static async Task<Transaction[]> SalesAsync(IDatabase db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Customer, long At, long Total)>(
            "SELECT customer_id, placed_at, total_e4 FROM orders WHERE kind = 'sale' AND customer_id IS NOT NULL AND total_e4 > 0 ORDER BY placed_at");
        return rows
            .Select(r => new Transaction(r.Customer.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DateOnly.FromDateTime(UnixTime.FromStorage(r.At).UtcDateTime), Money.FromStorage(r.Total)))
            .ToArray();
    }
}
