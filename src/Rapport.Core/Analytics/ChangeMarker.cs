using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>
/// A report's change marker (ReportCache): a few single-row queries over its sources that each
/// cost an index look-up (a MAX over a key, a COUNT over a narrow index), joined into one string.
/// Equal markers mean nothing the report reads has changed, so a stale report is kept instead of
/// recomputed: at a million customers the needs and consent reports take minutes of CPU, the
/// marker milliseconds.
/// </summary>
public static class ChangeMarker
{
    /// <summary>Needs: rows of customer_needs (with affinity and channels, written with it by NeedsUpdater, updated_at set) and the cluster models.</summary>
    public static readonly string[] Needs =
    [
        "SELECT COUNT(*) FROM customer_needs",
        "SELECT MAX(updated_at) FROM customer_needs", // ix_customer_needs_updated (migration 1780)
        "SELECT MAX(id) FROM needs_models",
    ];

    /// <summary>Consent: the ledger (append-only), new customers, merges and their undoing, erasures.</summary>
    public static readonly string[] Consent =
    [
        "SELECT MAX(id) FROM consent_ledger",
        "SELECT MAX(id) FROM customers",
        "SELECT MAX(id) FROM merges",
        "SELECT MAX(undone_at) FROM merges",
        "SELECT MAX(id) FROM erasure_requests",
        "SELECT MAX(completed_at) FROM erasure_requests",
    ];

    public static async Task<string> ReadAsync(IDatabase database, IEnumerable<string> queries, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var parts = new List<string>();
        foreach (var sql in queries)
        {
            parts.Add(Convert.ToString(await c.ExecuteScalarAsync<object?>(new CommandDefinition(sql, cancellationToken: ct)), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return string.Join("|", parts);
    }
}
