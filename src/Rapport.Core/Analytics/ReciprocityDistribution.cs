using System.Data.Common;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Engine.Analytics;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Analytics;

/// <summary>
/// The reciprocity balance of every customer at once: the same facts as
/// <see cref="ReciprocityQueries"/> reads for one customer (a test holds the two equal), but each
/// table read once with GROUP BY customer instead of five queries per customer, then valued by
/// <see cref="ReciprocityValuation"/> and put in a histogram. Customers with no fact at all have a
/// balance of 0. Memory: one small record per customer with any fact.
/// </summary>
public sealed class ReciprocityDistribution(IDatabase database, LoyaltyProgramStore programs)
{
    public async Task<ReciprocityDistributionReport> ComputeAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var program = await programs.GetAsync(c, null, ct);
        var facts = new Dictionary<long, Facts>();
        Facts F(long id) => facts.TryGetValue(id, out var f) ? f : facts[id] = new Facts();
        foreach (var r in await Q<(long Id, long Gross, long Discount)>(c, "SELECT customer_id, revenue_e4 - cost_e4 - returns_e4, discount_e4 FROM customer_value", ct))
        {
            (F(r.Id).Gross, F(r.Id).Discount) = (r.Gross, r.Discount);
        }

        var counts = $"""
            SELECT customer_id,
                   COALESCE(SUM(CASE WHEN name IN {Literals(ReciprocityQueries.ReferralEvents)} THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN name IN {Literals(ReciprocityQueries.ReviewEvents)} THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN name IN {Literals(ReciprocityQueries.ConsentEvents)} THEN 1 ELSE 0 END), 0)
            FROM events WHERE type = 'track' AND name IN {Literals([.. ReciprocityQueries.ReferralEvents, .. ReciprocityQueries.ReviewEvents, .. ReciprocityQueries.ConsentEvents])}
            GROUP BY customer_id
            """;
        foreach (var r in await Q<(long Id, long Referrals, long Reviews, long Consents)>(c, counts, ct))
        {
            (F(r.Id).Referrals, F(r.Id).Reviews, F(r.Id).Consents) = (r.Referrals, r.Reviews, F(r.Id).Consents + r.Consents);
        }

        foreach (var r in await Q<(long Id, long N)>(c, "SELECT customer_id, COUNT(*) FROM traits GROUP BY customer_id", ct))
        {
            F(r.Id).Traits = r.N;
        }

        foreach (var r in await Q<(long Id, long Points)>(c, "SELECT customer_id, SUM(points) FROM loyalty_operations WHERE kind = 'redeem' GROUP BY customer_id", ct))
        {
            F(r.Id).Redeemed = r.Points;
        }

        foreach (var r in await Q<(long Id, string Kind, long Amount)>(
            c, "SELECT customer_id, kind, SUM(amount_e4) FROM customer_costs WHERE reference IS NULL OR reference NOT LIKE 'loyalty-redeem:%' GROUP BY customer_id, kind", ct))
        {
            F(r.Id).Costs[r.Kind] = r.Amount;
        }

        // Each purpose.channel item's latest answer per customer, counted when 'granted' (as ReciprocityQueries does for one).
        foreach (var r in await Q<(long Id, long N)>(
            c,
            """
            SELECT i.customer_id, COUNT(*) FROM consent_ledger l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
            WHERE l.value = 'granted' AND l.item LIKE '%.%' AND NOT EXISTS (
              SELECT 1 FROM consent_ledger l2 JOIN identifiers i2 ON i2.kind = l2.id_kind AND i2.value = l2.id_value
              WHERE i2.customer_id = i.customer_id AND l2.item = l.item AND (l2.at > l.at OR (l2.at = l.at AND l2.id > l.id)))
            GROUP BY i.customer_id
            """,
            ct))
        {
            F(r.Id).Consents += r.N;
        }

        var customers = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customers WHERE merged_into IS NULL", cancellationToken: ct));
        var live = (await Q<long>(c, "SELECT id FROM customers WHERE merged_into IS NULL", ct)).ToHashSet();
        var balances = new long[customers];
        var n = 0;
        foreach (var (id, f) in facts)
        {
            if (live.Contains(id) && n < balances.Length)
            {
                balances[n++] = Money.ToStorage(ReciprocityValuation.Value(f.ToFacts(), program.Reciprocity, program.PointValue).Balance);
            }
        }

        // The remaining slots stay 0: customers with no fact at all.
        var d = Histogram.Build(balances);
        return new ReciprocityDistributionReport(
            customers,
            balances.LongCount(b => b > 0),
            balances.LongCount(b => b < 0),
            Money.FromStorage(d.Median),
            Money.FromStorage(d.P90),
            Money.FromStorage(d.Min),
            Money.FromStorage(d.Max),
            d.Bins.Select(b => new ClvBin(Money.FromStorage(b.From), Money.FromStorage(b.To), b.Count)).ToList());
    }

    private static Task<IEnumerable<T>> Q<T>(DbConnection c, string sql, CancellationToken ct) => c.QueryAsync<T>(new CommandDefinition(sql, cancellationToken: ct));

    /// <summary>Our own constant event names as SQL literals.</summary>
    private static string Literals(IReadOnlyList<string> names) => "(" + string.Join(", ", names.Select(n => "'" + n.Replace("'", "''", StringComparison.Ordinal) + "'")) + ")";

    private sealed class Facts
    {
        public long Gross, Discount, Referrals, Reviews, Consents, Traits, Redeemed;
        public readonly Dictionary<string, long> Costs = new(StringComparer.Ordinal);

        private decimal Cost(string kind) => Money.FromStorage(Costs.GetValueOrDefault(kind));

        public ReciprocityFacts ToFacts() => new(
            GrossMargin: Money.FromStorage(Gross),
            Referrals: (int)Referrals,
            Reviews: (int)Reviews,
            PreferencesStated: (int)Traits,
            Consents: (int)Consents,
            Discounts: Money.FromStorage(Discount),
            PointsRedeemed: Redeemed,
            OtherRewards: Cost("reward") + Cost("gift"),
            Surprises: Cost("surprise"),
            Service: Cost("service") + Cost("support"),
            Donations: Cost("donation"));
    }
}
