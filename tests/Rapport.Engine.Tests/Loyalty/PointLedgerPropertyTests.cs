using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

/// <summary>Random sequences of earn, redeem, donate, expire and return keep the ledger balanced, over many seeds.</summary>
public sealed class PointLedgerPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 200; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory, MemberData(nameof(Seeds))]
    public void RandomOperations_AnySeed_LedgerStaysBalanced(int seed)
    {
        var random = new Random(seed);
        var stored = new List<PointLot>();
        var entries = new List<LedgerEntry>();
        var orders = new List<long>();
        var nextId = 1L;
        var donatedTotal = 0L;
        var now = T0;
        for (var step = 0; step < 60; step++)
        {
            now = now.AddDays(random.Next(0, 40));

            // Reload from "storage" every step, as the server does for each request.
            var ledger = new PointLedger(stored);
            ledger.ExpireDue(now);
            var balanceBefore = ledger.Balance;
            switch (random.Next(5))
            {
                case 0:
                    ledger.Earn(random.Next(1, 500), now, now.AddDays(random.Next(30, 400)), $"O{step}");
                    break;
                case 1:
                    var want = random.Next(1, 600);
                    var ok = ledger.Redeem(want);
                    Assert.Equal(want <= balanceBefore, ok);
                    break;
                case 2 when orders.Count > 0:
                    var lot = orders[random.Next(orders.Count)];
                    var reversible = ledger.Reversible(lot);
                    if (reversible > 0)
                    {
                        ledger.Reverse(random.Next(1, (int)reversible + 1), lot, now);
                    }

                    break;
                case 3:
                    var give = random.Next(1, 400);
                    var donated = ledger.Donate(give);
                    Assert.Equal(give <= balanceBefore, donated);
                    if (donated)
                    {
                        donatedTotal += give;
                    }

                    break;
                default:
                    now = now.AddDays(random.Next(100, 400)); // let lots run out
                    ledger.ExpireDue(now);
                    break;
            }

            // Persist as the server does: real ids for new lots, entries re-pointed to them.
            var ids = new Dictionary<long, long>();
            foreach (var fresh in ledger.NewLots)
            {
                ids[fresh.Id] = nextId++;
                if (fresh.Kind == PointLot.Earn)
                {
                    orders.Add(ids[fresh.Id]);
                }
            }

            entries.AddRange(ledger.Entries.Select(e => e with { LotId = ids.GetValueOrDefault(e.LotId, e.LotId) }));
            stored = ledger.Lots.Select(l => l with { Id = ids.GetValueOrDefault(l.Id, l.Id) }).ToList();

            AssertBalanced(stored, entries, now);
            Assert.Equal(-donatedTotal, entries.Where(e => e.Kind == LedgerEntry.Donated).Sum(e => e.Points)); // every donated point left a lot
        }
    }

    private static void AssertBalanced(List<PointLot> lots, List<LedgerEntry> entries, DateTimeOffset now)
    {
        var byLot = entries.GroupBy(e => e.LotId).ToDictionary(g => g.Key, g => g.Sum(e => e.Points));
        foreach (var lot in lots)
        {
            Assert.Equal(byLot.GetValueOrDefault(lot.Id), lot.Remaining);
            if (lot.IsDebt)
            {
                Assert.InRange(lot.Remaining, lot.Points, 0);
            }
            else
            {
                Assert.InRange(lot.Remaining, 0, lot.Points);
                Assert.True(lot.ExpiresAt > now || lot.Remaining == 0, $"lot {lot.Id} is past its expiry with {lot.Remaining} points");
            }
        }

        Assert.Equal(entries.Sum(e => e.Points), lots.Sum(l => l.Remaining));
        if (lots.Any(l => l.IsDebt && l.Remaining < 0))
        {
            Assert.DoesNotContain(lots, l => !l.IsDebt && l.Remaining > 0); // earnings repay debt first
        }
    }
}
