using Rapport.Core.Storage;

namespace Rapport.Core.Needs;

/// <summary>Schema steps 620-639 and 1720-1739: customer needs (docs/needs.md) and the needs-based cluster models.</summary>
internal static class NeedsSchema
{
    public static readonly Migration[] Migrations =
    [
        // customer_needs: one row per customer with events or orders, rewritten whole by
        // NeedsUpdater (recomputed from the customer's history, so merges, refunds and late
        // events land right). Shares are in [0, 1]; NULL when there is nothing to share (no
        // purchases, no offers shown). digital/store/assisted and focus are the clustering
        // inputs (NeedsSummary). cluster is the index in the model cluster_model_id.
        // fingerprint: a hash of everything computed for the customer (all four tables), so a
        // recomputation rewrites, and tells segments about, only customers whose needs moved.
        // customer_affinity, customer_channels, customer_cadence: the per-category, per-channel
        // and per-product rows of the same computation. needs_models: every cluster fit.
        new(620, "customer needs", """
            CREATE TABLE customer_needs (
              customer_id BIGINT PRIMARY KEY,
              price_sensitivity DOUBLE PRECISION NULL,
              discount_unit_share DOUBLE PRECISION NULL,
              discount_revenue_share DOUBLE PRECISION NULL,
              units BIGINT NOT NULL,
              discounted_units BIGINT NOT NULL,
              revenue_e4 BIGINT NOT NULL,
              discounted_revenue_e4 BIGINT NOT NULL,
              offers_shown BIGINT NOT NULL,
              offers_accepted BIGINT NOT NULL,
              coupons_applied BIGINT NOT NULL,
              offer_response DOUBLE PRECISION NULL,
              digital_share DOUBLE PRECISION NOT NULL,
              store_share DOUBLE PRECISION NOT NULL,
              assisted_share DOUBLE PRECISION NOT NULL,
              orders BIGINT NOT NULL,
              focus DOUBLE PRECISION NOT NULL,
              top_category TEXT NULL,
              values_most TEXT NULL,
              values_most_source TEXT NULL,
              values_most_at BIGINT NULL,
              interests TEXT NULL,
              interests_source TEXT NULL,
              interests_at BIGINT NULL,
              cluster_model_id BIGINT NULL,
              cluster BIGINT NULL,
              fingerprint BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE INDEX ix_customer_needs_cluster ON customer_needs (cluster_model_id, cluster);
            CREATE TABLE customer_affinity (
              customer_id BIGINT NOT NULL,
              category TEXT NOT NULL,
              view_share DOUBLE PRECISION NULL,
              spend_share DOUBLE PRECISION NULL,
              affinity DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (customer_id, category));
            CREATE TABLE customer_channels (
              customer_id BIGINT NOT NULL,
              channel TEXT NOT NULL,
              interactions BIGINT NOT NULL,
              purchases BIGINT NOT NULL,
              interaction_share DOUBLE PRECISION NULL,
              purchase_share DOUBLE PRECISION NULL,
              PRIMARY KEY (customer_id, channel));
            CREATE TABLE customer_cadence (
              customer_id BIGINT NOT NULL,
              sku TEXT NOT NULL,
              purchases BIGINT NOT NULL,
              median_interval_days DOUBLE PRECISION NULL,
              last_purchase_at BIGINT NOT NULL,
              next_purchase_at BIGINT NULL,
              PRIMARY KEY (customer_id, sku));
            CREATE INDEX ix_customer_cadence_next ON customer_cadence (next_purchase_at);
            CREATE TABLE needs_models (
              id {id},
              status TEXT NOT NULL,
              k BIGINT NOT NULL,
              k_chosen BIGINT NOT NULL,
              silhouette DOUBLE PRECISION NULL,
              customers BIGINT NOT NULL,
              seed BIGINT NOT NULL,
              clusters TEXT NULL,
              message TEXT NULL,
              fitted_at BIGINT NOT NULL);
            """),
        // needs_pending: customers with new events whose needs the background refresher has yet
        // to recompute (NeedsRefresher). seq grows each time a customer is marked again, so a
        // computation that raced a newer event is not written and the customer stays pending.
        new(621, "needs pending refresh", """
            CREATE TABLE needs_pending (
              customer_id BIGINT PRIMARY KEY,
              seq BIGINT NOT NULL);
            """),
        // lineage_from: a refit numbers its clusters as the previous model did (ClusterAlignment)
        // and rewrites only the customers whose cluster moved; the others keep the id of the model
        // they were assigned in. A row's cluster counts in the current model when its
        // cluster_model_id is between the current model's lineage_from and its id (NULL: its own id).
        new(1720, "needs model lineage", """
            ALTER TABLE needs_models ADD COLUMN lineage_from BIGINT NULL;
            """),
    ];
}
