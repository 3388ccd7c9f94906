using Rapport.Core.Storage;

namespace Rapport.Core.Pricing;

/// <summary>Schema steps 1170-1179 (loyalty's range): volume pricing rules and business contracts (docs/pricing.md).</summary>
internal static class PricingSchema
{
    public static readonly Migration[] Migrations =
    [
        // pricing_rules: quantity breaks as JSON (Engine PriceBreak list) per product or category.
        // contracts: for one customer (a business account) or a segment (a group); prices is JSON
        // {sku: unit price}; start_day/end_day are UTC days (DateOnly.DayNumber), both included;
        // cancelled 1 ends it at once. Active/pending/expired is worked out from the day.
        new(1170, "pricing", """
            CREATE TABLE pricing_rules (
              id {id},
              scope TEXT NOT NULL,
              target TEXT NOT NULL,
              breaks TEXT NOT NULL,
              active BIGINT NOT NULL,
              created_at BIGINT NOT NULL);
            CREATE INDEX ix_pricing_rules_target ON pricing_rules (scope, target);
            CREATE TABLE contracts (
              id {id},
              customer_id BIGINT NULL,
              segment_id BIGINT NULL,
              name TEXT NOT NULL,
              prices TEXT NOT NULL,
              discount_percent_e4 BIGINT NOT NULL,
              start_day BIGINT NOT NULL,
              end_day BIGINT NOT NULL,
              minimum_e4 BIGINT NOT NULL,
              cancelled BIGINT NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE INDEX ix_contracts_customer ON contracts (customer_id);
            CREATE INDEX ix_contracts_segment ON contracts (segment_id);
            """),
    ];
}
