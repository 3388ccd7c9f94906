using Dapper;
using Rapport.Core.Import;
using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

/// <summary>A products row as the import diffs it: loaded, changed in memory, written back if dirty.</summary>
internal sealed class ProductRecord
{
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public string? Category { get; set; }

    public long? PriceE4 { get; set; }

    public long? UnitCostE4 { get; set; }

    public string? Currency { get; set; }

    public long Available { get; set; } = 1;

    public long? PriceAt { get; set; }

    public long UnitCostAssumed { get; set; }

    public long UpdatedAt { get; set; }
}

/// <summary>Bulk reads and writes of products for imports.</summary>
internal static class ProductStore
{
    private static readonly string[] Columns =
        ["sku", "name", "category", "price_e4", "unit_cost_e4", "currency", "available", "price_at", "unit_cost_assumed", "updated_at"];

    /// <summary>The stored products among <paramref name="skus"/>, by SKU. One query per 5,000 SKUs.</summary>
    public static async Task<Dictionary<string, ProductRecord>> LoadAsync(UnitOfWork unit, IEnumerable<string> skus)
    {
        var rows = await KeyQuery.QueryAsync<ProductRecord, string>(
            unit,
            """
            SELECT sku AS Sku, name AS Name, category AS Category, price_e4 AS PriceE4, unit_cost_e4 AS UnitCostE4,
                   currency AS Currency, available AS Available, price_at AS PriceAt,
                   unit_cost_assumed AS UnitCostAssumed, updated_at AS UpdatedAt
            FROM products WHERE sku IN {keys}
            """,
            skus.Distinct(StringComparer.Ordinal));
        return rows.ToDictionary(r => r.Sku, StringComparer.Ordinal);
    }

    public static Task InsertAsync(UnitOfWork unit, IReadOnlyCollection<ProductRecord> products, CancellationToken cancellationToken) =>
        products.Count == 0
            ? Task.CompletedTask
            : MarkEveryCustomer(unit).Dialect.BulkInsertAsync(
                unit.Connection,
                unit.Transaction,
                "products",
                Columns,
                products.Select(p => new object?[]
                {
                    p.Sku, p.Name, p.Category, p.PriceE4, p.UnitCostE4, p.Currency, p.Available, p.PriceAt, p.UnitCostAssumed, p.UpdatedAt,
                }),
                cancellationToken);

    public static Task UpdateAsync(UnitOfWork unit, IReadOnlyCollection<ProductRecord> products) =>
        products.Count == 0
            ? Task.CompletedTask
            : MarkEveryCustomer(unit).Connection.ExecuteAsync(
                """
                UPDATE products SET name = @Name, category = @Category, price_e4 = @PriceE4, unit_cost_e4 = @UnitCostE4,
                  currency = @Currency, available = @Available, price_at = @PriceAt, unit_cost_assumed = @UnitCostAssumed,
                  updated_at = @UpdatedAt
                WHERE sku = @Sku
                """,
                products,
                unit.Transaction);

    /// <summary>Names and availability feed every customer's cached product offers (next best action): those are read again.</summary>
    private static UnitOfWork MarkEveryCustomer(UnitOfWork unit)
    {
        unit.EveryCustomerChanged = true;
        return unit;
    }
}
