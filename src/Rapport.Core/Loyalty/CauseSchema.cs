using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>Schema steps 1150-1159: causes, the customers' choices and the donation ledger (docs/causes.md).</summary>
internal static class CauseSchema
{
    public static readonly Migration[] Migrations =
    [
        // causes: the catalogue (charities). cause_choices: per customer and cause, the weight of
        // the cause when the customer donates points and the percent of each order's cash value
        // given in their name (both × 10^4). cause_donations: the append-only donation ledger;
        // a refund or cancellation is a negative row (never an update). source is points or
        // purchase; reference (points:{operation}, order:{id}, refund:{message}, cancel:{id})
        // makes a repeated event count once per cause.
        new(1150, "causes", """
            CREATE TABLE causes (
              id {id},
              name TEXT NOT NULL,
              description TEXT NULL,
              url TEXT NULL,
              active BIGINT NOT NULL,
              created_at BIGINT NOT NULL);
            CREATE TABLE cause_choices (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              cause_id BIGINT NOT NULL,
              points_share_e4 BIGINT NOT NULL,
              purchase_percent_e4 BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE INDEX ix_cause_choices_customer ON cause_choices (customer_id);
            CREATE INDEX ix_cause_choices_recorded_for ON cause_choices (recorded_for);
            CREATE TABLE cause_donations (
              id {id},
              cause_id BIGINT NOT NULL,
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              source TEXT NOT NULL,
              points BIGINT NOT NULL,
              amount_e4 BIGINT NOT NULL,
              order_id TEXT NULL,
              order_total_e4 BIGINT NULL,
              operation_id BIGINT NULL,
              reference TEXT NOT NULL,
              at BIGINT NOT NULL);
            CREATE UNIQUE INDEX ux_cause_donations_reference ON cause_donations (recorded_for, cause_id, reference);
            CREATE INDEX ix_cause_donations_cause ON cause_donations (cause_id, at);
            CREATE INDEX ix_cause_donations_customer ON cause_donations (customer_id);
            CREATE INDEX ix_cause_donations_recorded_for ON cause_donations (recorded_for);
            CREATE INDEX ix_cause_donations_order ON cause_donations (order_id);
            """),
    ];
}
