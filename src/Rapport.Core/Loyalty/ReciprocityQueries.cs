using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>GET /v1/customers/{id}/reciprocity: what the customer gave and received, item by item, in currency units.</summary>
public sealed record ReciprocityView(
    long CustomerId,
    decimal Given,
    decimal Received,
    decimal Balance,
    double? Ratio,
    IReadOnlyDictionary<string, decimal> GivenItems,
    IReadOnlyDictionary<string, decimal> ReceivedItems,
    ReciprocityFacts Facts);

/// <summary>
/// The reciprocity ledger, computed on read from what the store already holds (customer_value,
/// customer_costs, loyalty_operations, traits, events) and valued by
/// <see cref="ReciprocityValuation"/> with the programme's prices (docs/loyalty.md).
/// This is the seam the next-best-action engine calls: <see cref="BalanceAsync"/> for one
/// customer, <see cref="BalancesAsync"/> for many (a few indexed queries per customer).
/// </summary>
public sealed class ReciprocityQueries(IDatabase database, LoyaltyProgramStore programs)
{
    /// <summary>Names of events that count as a referral, a review, and a consent given.</summary>
    public static readonly IReadOnlyList<string> ReferralEvents = ["Referral Completed"];
    public static readonly IReadOnlyList<string> ReviewEvents = ["Review Submitted", "Product Reviewed"];
    public static readonly IReadOnlyList<string> ConsentEvents = ["Consent Given", "Consent Granted"];

    public async Task<ReciprocityView?> GetAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @customerId", new { customerId }) is null)
        {
            return null;
        }

        var program = await programs.GetAsync(c, null, ct);
        var facts = await FactsAsync(c, customerId);
        var b = ReciprocityValuation.Value(facts, program.Reciprocity, program.PointValue);
        return new ReciprocityView(customerId, b.Given.Total, b.Received.Total, b.Balance, b.Ratio, b.Given.Items, b.Received.Items, facts);
    }

    /// <summary>Given − received for one customer (0 for an unknown one): positive means they gave more than they got.</summary>
    public async Task<decimal> BalanceAsync(long customerId, CancellationToken ct = default) =>
        (await GetAsync(customerId, ct))?.Balance ?? 0m;

    /// <summary>The balance of each customer asked for; unknown customers are left out.</summary>
    public async Task<IReadOnlyDictionary<long, decimal>> BalancesAsync(IReadOnlyCollection<long> customers, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var program = await programs.GetAsync(c, null, ct);
        var result = new Dictionary<long, decimal>(customers.Count);
        foreach (var id in customers.Distinct())
        {
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @id", new { id }) is not null)
            {
                result[id] = ReciprocityValuation.Value(await FactsAsync(c, id), program.Reciprocity, program.PointValue).Balance;
            }
        }

        return result;
    }

    /// <summary>Our own constant event names as SQL literals (Dapper's list expansion does not reach into a CASE on PostgreSQL).</summary>
    private static string Literals(IReadOnlyList<string> names) => "(" + string.Join(", ", names.Select(n => "'" + n.Replace("'", "''", StringComparison.Ordinal) + "'")) + ")";

    /// <summary>
    /// Purpose × channel pairs the customer currently grants in the consent ledger (Core/Consent):
    /// each item's latest answer, counted when it is 'granted'.
    /// </summary>
    private static Task<long> GrantedConsentsAsync(DbConnection c, long id) =>
        c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM consent_ledger l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
            WHERE i.customer_id = @id AND l.value = 'granted' AND l.item LIKE '%.%' AND NOT EXISTS (
              SELECT 1 FROM consent_ledger l2 JOIN identifiers i2 ON i2.kind = l2.id_kind AND i2.value = l2.id_value
              WHERE i2.customer_id = @id AND l2.item = l.item AND (l2.at > l.at OR (l2.at = l.at AND l2.id > l.id)))
            """,
            new { id });

    private static async Task<ReciprocityFacts> FactsAsync(DbConnection c, long id)
    {
        var value = await c.QuerySingleOrDefaultAsync<(long Gross, long Discount)?>(
            "SELECT revenue_e4 - cost_e4 - returns_e4, discount_e4 FROM customer_value WHERE customer_id = @id", new { id });
        var counts = await c.QuerySingleAsync<(long Referrals, long Reviews, long Consents)>(
            $"""
            SELECT COALESCE(SUM(CASE WHEN name IN {Literals(ReferralEvents)} THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN name IN {Literals(ReviewEvents)} THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN name IN {Literals(ConsentEvents)} THEN 1 ELSE 0 END), 0)
            FROM events WHERE customer_id = @id AND type = 'track'
            """,
            new { id });
        var traits = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM traits WHERE customer_id = @id", new { id });
        var redeemed = await c.ExecuteScalarAsync<long>(
            "SELECT COALESCE(SUM(points), 0) FROM loyalty_operations WHERE customer_id = @id AND kind = 'redeem'", new { id });
        var costs = (await c.QueryAsync<(string Kind, long Amount)>(
                """
                SELECT kind, COALESCE(SUM(amount_e4), 0) FROM customer_costs
                WHERE customer_id = @id AND (reference IS NULL OR reference NOT LIKE 'loyalty-redeem:%')
                GROUP BY kind
                """,
                new { id }))
            .ToDictionary(r => r.Kind, r => Money.FromStorage(r.Amount));
        return new ReciprocityFacts(
            GrossMargin: Money.FromStorage(value?.Gross ?? 0),
            Referrals: (int)counts.Referrals,
            Reviews: (int)counts.Reviews,
            PreferencesStated: (int)traits,
            Consents: (int)(counts.Consents + await GrantedConsentsAsync(c, id)),
            Discounts: Money.FromStorage(value?.Discount ?? 0),
            PointsRedeemed: redeemed,
            OtherRewards: costs.GetValueOrDefault("reward") + costs.GetValueOrDefault("gift"),
            Surprises: costs.GetValueOrDefault("surprise"),
            Service: costs.GetValueOrDefault("service") + costs.GetValueOrDefault("support"),
            Donations: costs.GetValueOrDefault("donation") + Money.FromStorage(await c.ExecuteScalarAsync<long>(
                "SELECT COALESCE(SUM(amount_e4), 0) FROM cause_donations WHERE customer_id = @id", new { id })));
    }
}
