using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Pricing;

namespace Rapport.Core.Pricing;

/// <summary>A line asked for in a quote: the sku, the quantity, and a list price when the catalogue has none (or to override it).</summary>
public sealed record QuoteRequestLine(string Sku, long Quantity, decimal? Price);

/// <summary>Volume pricing rules (pricing_rules) and quotes that apply them with the customer's contracts.</summary>
public sealed class VolumePricing(StoreWriter writer, Contracts contracts)
{
    public const int MaxLines = 500;

    public Task<VolumeRule> AddRuleAsync(VolumeRule rule, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    "INSERT INTO pricing_rules (scope, target, breaks, active, created_at) VALUES (@Scope, @Target, @breaks, 1, @now) RETURNING id",
                    new { rule.Scope, rule.Target, breaks = JsonSerializer.Serialize(rule.Breaks), now = unit.Now },
                    unit.Transaction);
                return rule with { Id = id };
            },
            ct);

    /// <summary>Retires a rule; false when there is no such rule.</summary>
    public Task<bool> RemoveRuleAsync(long id, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit => await unit.Connection.ExecuteAsync("UPDATE pricing_rules SET active = 0 WHERE id = @id", new { id }, unit.Transaction) == 1,
            ct);

    public async Task<IReadOnlyList<VolumeRule>> RulesAsync(CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        return await RulesAsync(c);
    }

    /// <summary>
    /// Prices the lines for <paramref name="customerId"/> (null = no contract). List prices come
    /// from the catalogue unless the line gives one. Returns null and a problem naming the sku
    /// when a product has no price, or the customer does not exist.
    /// </summary>
    public async Task<(Quote? Quote, string? Problem)> QuoteAsync(long? customerId, IReadOnlyList<QuoteRequestLine> lines, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var terms = Array.Empty<ContractTerms>() as IReadOnlyList<ContractTerms>;
        if (customerId is { } id)
        {
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @id", new { id }) is null)
            {
                return (null, $"There is no customer {id}; leave customerId out for a quote without contract prices.");
            }

            terms = await contracts.InForceAsync(c, id);
        }

        var priced = new List<QuoteLine>(lines.Count);
        foreach (var line in lines)
        {
            var product = await c.QuerySingleOrDefaultAsync<(string? Category, long? Price)?>(
                "SELECT category, price_e4 FROM products WHERE sku = @Sku", new { line.Sku });
            var list = line.Price ?? Money.FromStorage(product?.Price);
            if (list is null)
            {
                return (null, $"Product '{line.Sku}' has no price in the catalogue; send its price on the line (\"price\": 12.50) or import it with rapport import products.");
            }

            priced.Add(new QuoteLine(line.Sku, product?.Category, list.Value, line.Quantity));
        }

        return (PriceCalculator.Price(priced, await RulesAsync(c), terms), null);
    }

    private static async Task<IReadOnlyList<VolumeRule>> RulesAsync(System.Data.Common.DbConnection c) =>
        (await c.QueryAsync<(long Id, string Scope, string Target, string Breaks)>("SELECT id, scope, target, breaks FROM pricing_rules WHERE active = 1 ORDER BY id"))
        .Select(r => new VolumeRule(r.Id, r.Scope, r.Target, JsonSerializer.Deserialize<List<PriceBreak>>(r.Breaks) ?? []))
        .ToList();
}
