using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

internal static class CommerceImportSchema
{
    public static readonly Migration[] Migrations =
    [
        // price_at: when the current price was observed (an order's time, or a catalog import's
        // time), so an older order file never overwrites a newer price and re-runs change nothing.
        // unit_cost_assumed = 1 when unit_cost_e4 is an assumption (a ratio of the price, see
        // docs/commerce.md) rather than a figure the retailer gave: margins built on it say so.
        // orders.country: where the order was placed/shipped, when the source says.
        new(510, "commerce import", """
            ALTER TABLE products ADD COLUMN price_at BIGINT NULL;
            ALTER TABLE products ADD COLUMN unit_cost_assumed BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE orders ADD COLUMN country TEXT NULL;
            """),
    ];
}
