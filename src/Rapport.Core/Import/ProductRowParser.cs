using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>One catalog row. Null means the file did not say (the stored value is kept).</summary>
public sealed record ProductRow(
    long SourceLine, string Sku, string Name, string? Category, long? PriceE4, long? UnitCostE4, string? Currency, bool? Available);

/// <summary>Maps CSV records to catalog rows: sku and name required; category, price, unit_cost, currency, available optional.</summary>
public sealed class ProductRowParser(ColumnMap map, string? currency)
{
    public static readonly IReadOnlyList<ImportField> Fields =
    [
        new("sku", true, "product_id", "stock_code", "product_sku", "product_code", "item_id", "item_code", "article_no"),
        new("name", true, "product_name", "title", "item_name", "description"),
        new("category", false, "product_category", "category_name", "department"),
        new("price", false, "unit_price", "list_price", "retail_price", "sale_price"),
        new("unit_cost", false, "cost", "cost_price", "purchase_price"),
        new("currency", false, "currency_code"),
        new("available", false, "in_stock", "availability", "active", "stock"),
    ];

    public ColumnMap Map => map;

    public static ProductRowParser Create(IReadOnlyList<string> header, IReadOnlyDictionary<string, string> overrides, ImportOptions options) =>
        new(ColumnMap.Resolve("products", header, Fields, overrides), options.Currency?.ToUpperInvariant());

    public Parsed<ProductRow> Parse(CsvRecord record)
    {
        var f = record.Fields;
        if (map.Get(f, "sku") is not { } sku)
        {
            return Parsed<ProductRow>.Refuse("missing sku");
        }

        if (map.Get(f, "name") is not { } name)
        {
            return Parsed<ProductRow>.Refuse("missing name");
        }

        long? price = null, cost = null;
        if (map.Get(f, "price") is { } priceText)
        {
            if (ValueParser.TryParseMoney(priceText, "price", out var p) is { } bad)
            {
                return Parsed<ProductRow>.Refuse(bad);
            }

            price = Money.ToStorage(p);
        }

        if (map.Get(f, "unit_cost") is { } costText)
        {
            if (ValueParser.TryParseMoney(costText, "unit_cost", out var c) is { } bad)
            {
                return Parsed<ProductRow>.Refuse(bad);
            }

            cost = Money.ToStorage(c);
        }

        bool? available = null;
        if (map.Get(f, "available") is { } availableText)
        {
            if (ValueParser.TryParseAvailable(availableText, out var a) is { } bad)
            {
                return Parsed<ProductRow>.Refuse(bad);
            }

            available = a;
        }

        return new ProductRow(
            record.Line, sku, name, map.Get(f, "category"), price, cost, map.Get(f, "currency")?.ToUpperInvariant() ?? currency, available);
    }
}
