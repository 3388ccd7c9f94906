using Rapport.Core.Storage;

namespace Rapport.Core.Value;

/// <summary>Schema steps 600-619: customer value, the cost ledger, and versioned CLV models with their predictions.</summary>
internal static class ValueSchema
{
    public static readonly Migration[] Migrations =
    [
        // customer_value: one row per customer with orders or costs (docs/value.md has the
        // formulas). The additive columns are kept current by ValueProjection and the order
        // import; rfm_*, tier and the percentiles are population-relative: set by the bulk
        // recomputation and, between two, by scoring against value_population's latest row.
        // Percentiles are in [0, 1], 1 = the most valuable; NULL for customers without orders.
        // customer_costs: rewards and service recorded against a customer. customer_id is the
        // current owner (it follows merges and their undo); recorded_for is the id it was
        // recorded against. A reference makes a retry a no-op (NULL references never clash).
        new(600, "customer value", """
            CREATE TABLE customer_value (
              customer_id BIGINT PRIMARY KEY,
              orders BIGINT NOT NULL,
              returns BIGINT NOT NULL,
              revenue_e4 BIGINT NOT NULL,
              cost_e4 BIGINT NOT NULL,
              discount_e4 BIGINT NOT NULL,
              returns_e4 BIGINT NOT NULL,
              reward_cost_e4 BIGINT NOT NULL,
              service_cost_e4 BIGINT NOT NULL,
              margin_e4 BIGINT NOT NULL,
              aov_e4 BIGINT NOT NULL,
              first_order_at BIGINT NULL,
              last_order_at BIGINT NULL,
              rfm_r BIGINT NULL,
              rfm_f BIGINT NULL,
              rfm_m BIGINT NULL,
              tier TEXT NULL,
              revenue_percentile DOUBLE PRECISION NULL,
              margin_percentile DOUBLE PRECISION NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE customer_costs (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              kind TEXT NOT NULL,
              amount_e4 BIGINT NOT NULL,
              at BIGINT NOT NULL,
              reference TEXT NULL,
              note TEXT NULL,
              created_at BIGINT NOT NULL);
            CREATE INDEX ix_customer_costs_customer ON customer_costs (customer_id);
            CREATE INDEX ix_customer_costs_recorded_for ON customer_costs (recorded_for);
            CREATE UNIQUE INDEX ux_customer_costs_reference ON customer_costs (recorded_for, kind, reference);
            CREATE TABLE value_population (
              id {id},
              computed_at BIGINT NOT NULL,
              customers BIGINT NOT NULL,
              buyers BIGINT NOT NULL,
              summary TEXT NOT NULL);
            """),

        // clv_models: every fit is a new row, 'fitted' or 'failed' (with a message, never
        // numbers); the current model is the latest 'fitted' row. params is JSON: the purchase
        // and spend model parameters and the spend log-likelihood. calibration_end is the UTC
        // midnight starting the last calibration day. customer_predictions keeps the current and
        // previous fitted model's rows (older ones are pruned at each fit).
        new(601, "clv models", """
            CREATE TABLE clv_models (
              id {id},
              kind TEXT NOT NULL,
              status TEXT NOT NULL,
              params TEXT NULL,
              log_likelihood DOUBLE PRECISION NULL,
              customers BIGINT NOT NULL,
              calibration_end BIGINT NULL,
              horizon_weeks BIGINT NOT NULL,
              discount_rate DOUBLE PRECISION NOT NULL,
              margin DOUBLE PRECISION NULL,
              fitted_at BIGINT NOT NULL,
              message TEXT NULL);
            CREATE TABLE customer_predictions (
              customer_id BIGINT NOT NULL,
              model_id BIGINT NOT NULL,
              expected_purchases DOUBLE PRECISION NOT NULL,
              p_alive DOUBLE PRECISION NOT NULL,
              expected_spend_e4 BIGINT NOT NULL,
              clv_e4 BIGINT NOT NULL,
              clv_percentile DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (customer_id, model_id));
            CREATE INDEX ix_customer_predictions_model ON customer_predictions (model_id);
            """),

        // The bulk recomputation updates most rows. With half of each page free, PostgreSQL
        // writes the new row versions in the same page without touching the index (HOT
        // updates): about twice as fast on 1M rows. Applies to pages written from now on.
        // SQLite updates rows in place and has no such setting.
        new(602, "customer_value fillfactor", """
            {only:postgres:ALTER TABLE customer_value SET (fillfactor = 50)};
            """),
    ];
}
