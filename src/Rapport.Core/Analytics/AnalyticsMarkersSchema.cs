using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>Indexes that make the reports' change markers (ChangeMarker) index look-ups (1780-1799).</summary>
internal static class AnalyticsMarkersSchema
{
    public static readonly Migration[] Migrations =
    [
        // MAX(updated_at) of a million customer_needs rows: a scan of the table without it.
        new(1780, "needs change marker", "CREATE INDEX ix_customer_needs_updated ON customer_needs (updated_at);"),
    ];
}
