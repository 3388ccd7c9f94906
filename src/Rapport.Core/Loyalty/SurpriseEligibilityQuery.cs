using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>The customers a programme's eligibility admits, best first (revenue, then id), as one query.</summary>
internal static class SurpriseEligibilityQuery
{
    public const int MaxCandidates = 1_000_000;

    public static async Task<IReadOnlyList<long>> CustomersAsync(UnitOfWork unit, SurpriseEligibility e)
    {
        var where = new List<string> { "c.merged_into IS NULL" };
        var args = new DynamicParameters();
        if (e.SegmentId is { } segment)
        {
            where.Add("EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = @segment AND m.customer_id = c.id)");
            args.Add("segment", segment);
        }

        if (e.ValueTiers is { Count: > 0 } valueTiers)
        {
            where.Add($"v.tier IN {List(args, "vt", valueTiers)}");
        }

        if (e.LoyaltyTiers is { Count: > 0 } loyaltyTiers)
        {
            where.Add($"EXISTS (SELECT 1 FROM loyalty_accounts a WHERE a.customer_id = c.id AND a.tier IN {List(args, "lt", loyaltyTiers)})");
        }

        // P(alive) from the latest fitted CLV model; "falling" compares it with the model fitted before.
        const string Current = "(SELECT MAX(id) FROM clv_models WHERE status = 'fitted')";
        const string Previous = $"(SELECT MAX(id) FROM clv_models WHERE status = 'fitted' AND id < {Current})";
        if (e.PAliveBelow is { } below)
        {
            where.Add($"EXISTS (SELECT 1 FROM customer_predictions p WHERE p.customer_id = c.id AND p.model_id = {Current} AND p.p_alive < @below)");
            args.Add("below", below);
        }

        if (e.PAliveFalling)
        {
            where.Add(
                $"""
                EXISTS (SELECT 1 FROM customer_predictions p JOIN customer_predictions q ON q.customer_id = p.customer_id
                        WHERE p.customer_id = c.id AND p.model_id = {Current} AND q.model_id = {Previous} AND p.p_alive < q.p_alive)
                """);
        }

        args.Add("limit", MaxCandidates);
        var ids = await unit.Connection.QueryAsync<long>(
            $"""
            SELECT c.id FROM customers c LEFT JOIN customer_value v ON v.customer_id = c.id
            WHERE {string.Join(" AND ", where)}
            ORDER BY COALESCE(v.revenue_e4, 0) DESC, c.id LIMIT @limit
            """,
            args,
            unit.Transaction);
        return ids.ToList();
    }

    /// <summary>"(@p0, @p1, ...)" with one parameter per value: Dapper does not expand lists for Npgsql (it passes an array).</summary>
    private static string List(DynamicParameters args, string prefix, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            args.Add($"{prefix}{i}", values[i]);
        }

        return "(" + string.Join(", ", values.Select((_, i) => $"@{prefix}{i}")) + ")";
    }
}
