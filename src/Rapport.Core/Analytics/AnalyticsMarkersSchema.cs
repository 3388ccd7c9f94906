using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>Indexes for the dashboard's reports (1780-1799): change markers (ChangeMarker) as index look-ups, and the health alarms' first purchases.</summary>
internal static class AnalyticsMarkersSchema
{
    public static readonly Migration[] Migrations =
    [
        // MAX(updated_at) of a million customer_needs rows: a scan of the table without it.
        new(1780, "needs change marker", "CREATE INDEX ix_customer_needs_updated ON customer_needs (updated_at);"),
        // The health alarms' first purchase per customer (HealthQueries: kind = 'sale', MIN(placed_at) by customer) read
        // ix_orders_customer and then every order's row for its kind: ten million row look-ups at a million customers,
        // 23 s of CPU of the start-up warm-up. The sales alone, partial, answer it from the index.
        new(1781, "sales by customer", "CREATE INDEX ix_orders_customer_sale ON orders (customer_id, placed_at) WHERE kind = 'sale';"),
    ];
}
