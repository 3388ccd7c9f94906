using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>Schema steps 1100-1199: the loyalty programme, points ledger, tiers, rewards, subscriptions; causes, surprises and pricing from 1150; 1640-1659, 1800-1819 and 1920-1939 later ledger changes.</summary>
internal static class LoyaltySchema
{
    public static readonly Migration[] Migrations =
    [
        // loyalty_program: one row (id 1), the programme as JSON (Engine LoyaltyProgram).
        // loyalty_operations: what happened (earn, redeem, reverse), one row each; a reference
        // (order, event message, idempotency key) makes a retry find the first row instead.
        // loyalty_lots: first-in-first-out lots; remaining is always the sum of the lot's
        // loyalty_entries, the append-only ledger (entries are never updated or deleted).
        // customer_id is who carries a row now (it follows merges and their undo), recorded_for
        // the customer it was recorded against. Points are whole numbers.
        new(1100, "loyalty", """
            CREATE TABLE loyalty_program (
              id BIGINT PRIMARY KEY,
              definition TEXT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE loyalty_accounts (
              customer_id BIGINT PRIMARY KEY,
              tier TEXT NOT NULL,
              tier_since BIGINT NOT NULL,
              below_since BIGINT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE loyalty_operations (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              kind TEXT NOT NULL,
              reference TEXT NULL,
              points BIGINT NOT NULL,
              balance_after BIGINT NOT NULL,
              amount_e4 BIGINT NULL,
              order_id TEXT NULL,
              reward_id BIGINT NULL,
              note TEXT NULL,
              at BIGINT NOT NULL);
            CREATE UNIQUE INDEX ux_loyalty_operations_reference ON loyalty_operations (recorded_for, kind, reference);
            CREATE INDEX ix_loyalty_operations_customer ON loyalty_operations (customer_id, kind, at);
            CREATE TABLE loyalty_lots (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              kind TEXT NOT NULL,
              points BIGINT NOT NULL,
              remaining BIGINT NOT NULL,
              expired BIGINT NOT NULL,
              reversed BIGINT NOT NULL,
              earned_at BIGINT NOT NULL,
              expires_at BIGINT NULL,
              order_id TEXT NULL);
            CREATE INDEX ix_loyalty_lots_customer ON loyalty_lots (customer_id);
            CREATE INDEX ix_loyalty_lots_recorded_for ON loyalty_lots (recorded_for);
            CREATE INDEX ix_loyalty_lots_order ON loyalty_lots (order_id);
            CREATE INDEX ix_loyalty_lots_due ON loyalty_lots (expires_at) WHERE remaining > 0;
            CREATE TABLE loyalty_entries (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              lot_id BIGINT NOT NULL,
              operation_id BIGINT NULL,
              kind TEXT NOT NULL,
              points BIGINT NOT NULL,
              at BIGINT NOT NULL);
            CREATE INDEX ix_loyalty_entries_customer ON loyalty_entries (customer_id, id);
            CREATE INDEX ix_loyalty_entries_recorded_for ON loyalty_entries (recorded_for);
            CREATE TABLE loyalty_rewards (
              id {id},
              name TEXT NOT NULL,
              points BIGINT NOT NULL,
              value_e4 BIGINT NOT NULL,
              active BIGINT NOT NULL,
              created_at BIGINT NOT NULL);
            """),

        // Subscriptions for regularly bought products (docs/loyalty.md). next_day is a UTC
        // calendar day as days since 0001-01-01 (DateOnly.DayNumber); status is active, paused
        // or cancelled; paused_until is the day a pause ends (NULL = until resumed).
        new(1101, "subscriptions", """
            CREATE TABLE subscriptions (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              sku TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              interval_days BIGINT NOT NULL,
              interval_source TEXT NOT NULL,
              next_day BIGINT NOT NULL,
              status TEXT NOT NULL,
              paused_until BIGINT NULL,
              discount_percent DOUBLE PRECISION NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE INDEX ix_subscriptions_customer ON subscriptions (customer_id);
            CREATE INDEX ix_subscriptions_due ON subscriptions (status, next_day);
            """),

        // The nightly expiry reads lots in id ranges (LoyaltyExpiry): nothing reads the partial
        // index on expires_at any more, and keeping it cost a random index delete per expired
        // lot and an insert per earning. On PostgreSQL, free space on each page lets updates of
        // remaining (redemptions, expiry) stay on the page without new index entries (HOT).
        new(1640, "loyalty lots without the expiry index", """
            DROP INDEX ix_loyalty_lots_due;
            {only:postgres:ALTER TABLE loyalty_lots SET (fillfactor = 90)};
            """),
        // Earning and redemption read only the open lots they need (LotStore): the customer's
        // open lots in first-in-first-out order, with remaining, expires_at and kind in it so the balance and the due lots are
        // found from it alone. Closed lots (most of a long history) are not in it; a lot
        // leaves it when it is spent or expires.
        new(1800, "loyalty open lots index", """
            CREATE INDEX ix_loyalty_lots_open ON loyalty_lots (customer_id, earned_at, id, remaining, expires_at, kind) WHERE remaining <> 0;
            """),
        // The points a customer earned less reversed since `since` (an operation's at > since),
        // kept by the writer that appends earn and reverse operations, so a tier evaluation on
        // the points basis reads the rows leaving its 12-month window instead of the whole
        // window (LoyaltyTierTotals). The backfill counts every operation (since = the start of
        // time); each customer's first evaluation then subtracts what is older than 12 months.
        new(1920, "loyalty qualifying points running total", $"""
            CREATE TABLE loyalty_qualifying (
              customer_id BIGINT PRIMARY KEY,
              since BIGINT NOT NULL,
              points BIGINT NOT NULL);
            INSERT INTO loyalty_qualifying (customer_id, since, points)
              SELECT customer_id, {LoyaltyTierTotals.StartOfTime}, SUM(CASE WHEN kind = 'earn' THEN points ELSE -points END)
              FROM loyalty_operations WHERE kind IN ('earn', 'reverse') GROUP BY customer_id;
            """),
        .. CauseSchema.Migrations,
        .. SurpriseSchema.Migrations,
        .. Pricing.PricingSchema.Migrations,
    ];
}
