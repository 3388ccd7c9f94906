namespace Rapport.Engine.Pricing;

/// <summary>
/// A quantity break: from <see cref="MinQuantity"/> units on, either a fixed
/// <see cref="UnitPrice"/> or <see cref="DiscountPercent"/> off the list price.
/// </summary>
public sealed record PriceBreak(long MinQuantity, decimal? UnitPrice = null, decimal? DiscountPercent = null);

/// <summary>
/// Volume pricing for one product (scope "product", target = sku) or one category (scope
/// "category", target = category; the quantity is all the quote's units of that category
/// together, so customers can mix products).
/// </summary>
public sealed record VolumeRule(long Id, string Scope, string Target, IReadOnlyList<PriceBreak> Breaks)
{
    public const string Product = "product";
    public const string Category = "category";

    public string? Validate()
    {
        if (Scope is not (Product or Category))
        {
            return $"scope '{Scope}' must be '{Product}' (target = a sku) or '{Category}' (target = a category).";
        }

        if (string.IsNullOrWhiteSpace(Target) || Target.Length > 200)
        {
            return "target is required: the sku or the category the breaks apply to.";
        }

        if (Breaks.Count == 0 || Breaks.Count > 50)
        {
            return "breaks must list 1 to 50 quantity breaks, e.g. [{\"minQuantity\": 10, \"discountPercent\": 5}].";
        }

        if (Breaks.Any(b => b.MinQuantity < 2 || (b.UnitPrice is null == b.DiscountPercent is null) || b.UnitPrice < 0 || b.DiscountPercent is < 0 or > 100))
        {
            return "each break needs minQuantity 2 or more and exactly one of unitPrice (0 or more) or discountPercent (0 to 100).";
        }

        return Breaks.Select(b => b.MinQuantity).Distinct().Count() != Breaks.Count ? "each minQuantity may appear once." : null;
    }
}

/// <summary>The terms of a contract in force: negotiated unit prices by sku and/or a discount on everything else.</summary>
public sealed record ContractTerms(long ContractId, IReadOnlyDictionary<string, decimal> Prices, decimal DiscountPercent);

/// <summary>A line to price: the product, its category and list price, and the quantity.</summary>
public sealed record QuoteLine(string Sku, string? Category, decimal ListPrice, long Quantity);

/// <summary>A priced line: Source says where the unit price came from (list, volume:{rule}, contract:{id}).</summary>
public sealed record PricedLine(string Sku, long Quantity, decimal ListPrice, decimal UnitPrice, string Source, decimal Total, decimal Saving);

public sealed record Quote(IReadOnlyList<PricedLine> Lines, decimal ListTotal, decimal Total)
{
    public decimal Saving => ListTotal - Total;
}

/// <summary>
/// Prices a quote (pure). Each line gets the lowest of: its list price, the best volume break
/// reached (product rules count the line's units, category rules all the quote's units of the
/// category), a contract's negotiated price for the sku, a contract's discount. The customer
/// always gets the best price they are entitled to; no two discounts are stacked. Unit prices
/// are rounded to cents.
/// </summary>
public static class PriceCalculator
{
    public static Quote Price(IReadOnlyList<QuoteLine> lines, IReadOnlyList<VolumeRule> rules, IReadOnlyList<ContractTerms> contracts)
    {
        var byCategory = lines.Where(l => l.Category is not null).GroupBy(l => l.Category!).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var bySku = lines.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var priced = new List<PricedLine>(lines.Count);
        foreach (var line in lines)
        {
            var best = (Price: line.ListPrice, Source: "list");
            foreach (var rule in rules)
            {
                var quantity = rule.Scope == VolumeRule.Product
                    ? (rule.Target == line.Sku ? bySku[line.Sku] : 0)
                    : (line.Category == rule.Target ? byCategory[rule.Target] : 0);
                var reached = rule.Breaks.Where(b => quantity >= b.MinQuantity).OrderByDescending(b => b.MinQuantity).FirstOrDefault();
                if (reached is not null)
                {
                    best = Lower(best, (Apply(line.ListPrice, reached.UnitPrice, reached.DiscountPercent), $"volume:{rule.Id}"));
                }
            }

            foreach (var contract in contracts)
            {
                if (contract.Prices.TryGetValue(line.Sku, out var negotiated))
                {
                    best = Lower(best, (negotiated, $"contract:{contract.ContractId}"));
                }

                if (contract.DiscountPercent > 0)
                {
                    best = Lower(best, (Apply(line.ListPrice, null, contract.DiscountPercent), $"contract:{contract.ContractId}"));
                }
            }

            var unit = Math.Round(best.Price, 2, MidpointRounding.AwayFromZero);
            priced.Add(new PricedLine(line.Sku, line.Quantity, line.ListPrice, unit, best.Source, unit * line.Quantity, (line.ListPrice - unit) * line.Quantity));
        }

        return new Quote(priced, lines.Sum(l => l.ListPrice * l.Quantity), priced.Sum(p => p.Total));
    }

    private static decimal Apply(decimal list, decimal? unitPrice, decimal? percent) =>
        unitPrice ?? (list * (1 - ((percent ?? 0) / 100m)));

    private static (decimal Price, string Source) Lower((decimal Price, string Source) a, (decimal Price, string Source) b) =>
        b.Price < a.Price ? b : a;
}
