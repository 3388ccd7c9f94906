using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>Members of one loyalty tier.</summary>
public sealed record TierMembers(string Tier, long Members);

/// <summary>The loyalty programme across the customer base: members by tier (programme order), points not yet spent or expired and what they are worth.</summary>
public sealed record LoyaltyOverviewReport(long Members, IReadOnlyList<TierMembers> Tiers, long PointsOutstanding, decimal OutstandingValue, long MembersWithPoints);

/// <summary>Two aggregate queries over loyalty_accounts and loyalty_lots (the remaining points of each lot are what is outstanding).</summary>
public sealed class LoyaltyOverview(IDatabase database, LoyaltyProgramStore programs)
{
    public async Task<LoyaltyOverviewReport> ComputeAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var program = await programs.GetAsync(c, null, ct);
        var tiers = (await c.QueryAsync<(string Tier, long N)>(new CommandDefinition(
            "SELECT tier, COUNT(*) FROM loyalty_accounts GROUP BY tier", cancellationToken: ct))).ToList();
        var order = program.Tiers.Select(t => t.Name).ToList();
        var points = await c.QuerySingleAsync<(long Points, long Members)>(new CommandDefinition(
            "SELECT COALESCE(SUM(remaining), 0), COUNT(DISTINCT customer_id) FROM loyalty_lots WHERE remaining > 0", cancellationToken: ct));
        return new LoyaltyOverviewReport(
            tiers.Sum(t => t.N),
            tiers.OrderBy(t => order.IndexOf(t.Tier) is var i && i >= 0 ? i : int.MaxValue).ThenBy(t => t.Tier, StringComparer.Ordinal)
                .Select(t => new TierMembers(t.Tier, t.N)).ToList(),
            points.Points,
            points.Points * program.PointValue,
            points.Members);
    }
}
