using Dapper;
using Rapport.Core.Customers;
using Rapport.Core.Storage;

namespace Rapport.Core.Segments;

/// <summary>A member as the dashboard lists it: who, their tier and net revenue, and since when they are in.</summary>
public sealed record SegmentMemberRow(long Id, string? Name, string? Email, string? Tier, long? RevenueE4, DateTimeOffset EnteredAt);

/// <summary>
/// A segment's members a page at a time in customer id order (keyset: after the last id shown,
/// so a late page costs what the first does), with each one's label and value row.
/// </summary>
public sealed class SegmentMemberList(IDatabase database)
{
    public const int PageSize = 25;

    /// <returns>Up to <see cref="PageSize"/> members after <paramref name="after"/> and whether there are more.</returns>
    public async Task<(IReadOnlyList<SegmentMemberRow> Members, bool More)> PageAsync(long segment, long after, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(long Id, long EnteredAt, string? Tier, long? Revenue)>(new CommandDefinition(
            $"""
            SELECT m.customer_id, m.entered_at, v.tier, v.revenue_e4 - v.returns_e4
            FROM segment_members m LEFT JOIN customer_value v ON v.customer_id = m.customer_id
            WHERE m.segment_id = @segment AND m.customer_id > @after
            ORDER BY m.customer_id LIMIT {PageSize + 1}
            """,
            new { segment, after },
            cancellationToken: ct))).ToList();
        var page = rows.Take(PageSize).ToList();
        var labels = await CustomerLabels.ReadAsync(c, database.Dialect, page.Select(r => r.Id).ToArray(), ct);
        return (page.Select(r => new SegmentMemberRow(
            r.Id, labels[r.Id].Name, labels[r.Id].Email, r.Tier, r.Revenue, UnixTime.FromStorage(r.EnteredAt))).ToList(), rows.Count > PageSize);
    }
}
