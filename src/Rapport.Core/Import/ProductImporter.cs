using Rapport.Core.Commerce;
using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>
/// Upserts catalog rows: new SKUs are appended in bulk, stored ones updated only where the file
/// gives a different value (a value the file leaves empty is kept). A catalog price is dated
/// by the import, so older order files do not overwrite it; a catalog unit cost is a real one.
/// </summary>
internal sealed class ProductImporter(ProductRowParser parser) : RowImporter<ProductRow>
{
    public override Parsed<ProductRow> Parse(CsvRecord record) => parser.Parse(record);

    public override async Task WriteBatchAsync(UnitOfWork unit, IReadOnlyList<ProductRow> rows, ImportTally tally, CancellationToken cancellationToken)
    {
        var now = unit.Now;
        var stored = await ProductStore.LoadAsync(unit, rows.Select(r => r.Sku));
        var created = new Dictionary<string, ProductRecord>(StringComparer.Ordinal);
        var updated = new Dictionary<string, ProductRecord>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!stored.TryGetValue(row.Sku, out var product))
            {
                product = new ProductRecord { Sku = row.Sku, Name = row.Name, UpdatedAt = now };
                stored[row.Sku] = product;
                created[row.Sku] = product;
                Apply(product, row, now);
                tally.Imported++;
                continue;
            }

            if (Apply(product, row, now))
            {
                if (!created.ContainsKey(row.Sku))
                {
                    updated[row.Sku] = product;
                }

                tally.Imported++;
            }
            else
            {
                tally.Unchanged++;
            }
        }

        await ProductStore.InsertAsync(unit, created.Values, cancellationToken);
        await ProductStore.UpdateAsync(unit, updated.Values);
        tally.ProductsCreated += created.Count;
        tally.ProductsUpdated += updated.Count;
    }

    /// <summary>Copies what the row says onto the product; true if anything changed.</summary>
    private static bool Apply(ProductRecord product, ProductRow row, long now)
    {
        var changed = false;
        if (product.Name != row.Name)
        {
            product.Name = row.Name;
            changed = true;
        }

        if (row.Category is { } category && product.Category != category)
        {
            product.Category = category;
            changed = true;
        }

        if (row.PriceE4 is { } price && product.PriceE4 != price)
        {
            if (product is { UnitCostAssumed: 1, UnitCostE4: { } assumed, PriceE4: > 0 and { } oldPrice } && row.UnitCostE4 is null)
            {
                // An assumed cost is a ratio of the price: keep the ratio.
                product.UnitCostE4 = (long)decimal.Round((decimal)assumed * price / oldPrice, 0, MidpointRounding.AwayFromZero);
            }

            product.PriceE4 = price;
            product.PriceAt = now;
            changed = true;
        }

        if (row.UnitCostE4 is { } cost && (product.UnitCostE4 != cost || product.UnitCostAssumed != 0))
        {
            product.UnitCostE4 = cost;
            product.UnitCostAssumed = 0;
            changed = true;
        }

        if (row.Currency is { } currency && product.Currency != currency)
        {
            product.Currency = currency;
            changed = true;
        }

        if (row.Available is { } available && product.Available != (available ? 1 : 0))
        {
            product.Available = available ? 1 : 0;
            changed = true;
        }

        if (changed)
        {
            product.UpdatedAt = now;
        }

        return changed;
    }
}
