using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Rapport.Core.Actions;

/// <summary>
/// What a decision's reason may say about the customer, and their current segments. Four small
/// indexed queries: traits, value, the latest order's first product, segment memberships.
/// </summary>
public static class CustomerFacts
{
    /// <summary>Top value percentile from which the reward reason calls the customer one of the most loyal.</summary>
    public const double LoyalPercentile = 0.8;

    public static async Task<Dictionary<string, string>> LoadAsync(DbConnection c, long customer)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        var traits = (await c.QueryAsync<(string Name, string Value)>(
            "SELECT name, value FROM traits WHERE customer_id = @customer AND name IN ('firstName', 'first_name', 'name')", new { customer }))
            .ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        var first = traits.GetValueOrDefault("firstName") ?? traits.GetValueOrDefault("first_name")
                    ?? traits.GetValueOrDefault("name")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(first))
        {
            facts["first_name"] = first;
        }

        var value = await c.QuerySingleOrDefaultAsync<(long Orders, string? Tier, double? Revenue, double? Margin)?>(
            "SELECT orders, tier, revenue_percentile, margin_percentile FROM customer_value WHERE customer_id = @customer", new { customer });
        if (value is { } v)
        {
            facts["orders"] = v.Orders.ToString(CultureInfo.InvariantCulture);
            if (v.Tier is { } tier)
            {
                facts["tier"] = tier;
            }

            if (v.Revenue >= LoyalPercentile || v.Margin >= LoyalPercentile)
            {
                facts["loyalty"] = "one of our most loyal customers";
            }
        }

        var lastBought = await c.QueryFirstOrDefaultAsync<(string Sku, string? Name)?>(
            """
            SELECT l.sku, p.name FROM orders o JOIN order_lines l ON l.order_id = o.order_id LEFT JOIN products p ON p.sku = l.sku
            WHERE o.customer_id = @customer AND o.kind = 'sale' ORDER BY o.placed_at DESC, l.line_no LIMIT 1
            """,
            new { customer });
        if (lastBought is { } b)
        {
            facts["last_bought"] = b.Name ?? b.Sku;
        }

        return facts;
    }

    public static async Task<Dictionary<long, string>> SegmentsAsync(DbConnection c, long customer) =>
        (await c.QueryAsync<(long Id, string Name)>(
            "SELECT s.id, s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.customer_id = @customer", new { customer }))
        .ToDictionary(r => r.Id, r => r.Name);
}
