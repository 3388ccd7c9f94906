using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

/// <summary>First-in-first-out lots, expiry, returns and the debt correction.</summary>
public sealed class PointLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Redeem_TwoLots_TakesTheOldestFirst()
    {
        var ledger = new PointLedger([]);
        var first = ledger.Earn(100, T0, T0.AddDays(365), "A");
        var second = ledger.Earn(50, T0.AddDays(1), T0.AddDays(366), "B");

        Assert.True(ledger.Redeem(120));

        Assert.Equal(0, ledger.Lots.Single(l => l.Id == first).Remaining);
        Assert.Equal(30, ledger.Lots.Single(l => l.Id == second).Remaining);
        Assert.Equal(30, ledger.Balance);
    }

    [Fact]
    public void Redeem_MoreThanBalance_RefusedAndNothingChanges()
    {
        var ledger = new PointLedger([]);
        ledger.Earn(100, T0, T0.AddDays(365), "A");
        var entries = ledger.Entries.Count;

        Assert.False(ledger.Redeem(101));
        Assert.Equal(100, ledger.Balance);
        Assert.Equal(entries, ledger.Entries.Count);
    }

    [Fact]
    public void ExpireDue_OneLotPastItsDate_OnlyThatLotExpires()
    {
        var ledger = new PointLedger([]);
        ledger.Earn(100, T0, T0.AddDays(10), "A");
        ledger.Earn(40, T0.AddDays(5), T0.AddDays(15), "B");

        Assert.Equal(100, ledger.ExpireDue(T0.AddDays(10)));
        Assert.Equal(40, ledger.Balance);
        Assert.Equal((T0.AddDays(15), 40L), ledger.NextExpiry());
    }

    [Fact]
    public void Reverse_PointsStillThere_TakenFromTheOrderLotFirst()
    {
        var ledger = new PointLedger([]);
        var old = ledger.Earn(100, T0, T0.AddDays(365), "A");
        var order = ledger.Earn(60, T0.AddDays(1), T0.AddDays(366), "B");

        Assert.Equal(0, ledger.Reverse(50, order, T0.AddDays(2)));

        Assert.Equal(100, ledger.Lots.Single(l => l.Id == old).Remaining);
        Assert.Equal(10, ledger.Lots.Single(l => l.Id == order).Remaining);
    }

    [Fact]
    public void Reverse_PointsAlreadySpent_DebtLotRepaidByTheNextEarning()
    {
        var ledger = new PointLedger([]);
        var order = ledger.Earn(100, T0, T0.AddDays(365), "A");
        Assert.True(ledger.Redeem(80));

        var debt = ledger.Reverse(100, order, T0.AddDays(1));

        Assert.Equal(80, debt);
        Assert.Equal(-80, ledger.Balance);
        var debtLot = Assert.Single(ledger.Lots, l => l.IsDebt);
        Assert.Equal(-80, debtLot.Remaining);

        var next = ledger.Earn(50, T0.AddDays(2), T0.AddDays(367), "C");
        Assert.Equal(-30, ledger.Lots.Single(l => l.IsDebt).Remaining);
        Assert.Equal(0, ledger.Lots.Single(l => l.Id == next).Remaining);
        Assert.Equal(-30, ledger.Balance);
        Assert.False(ledger.Redeem(1));
    }

    [Fact]
    public void Reversible_PartlyExpiredOrder_ExcludesExpiredAndReversedPoints()
    {
        var ledger = new PointLedger([]);
        var order = ledger.Earn(100, T0, T0.AddDays(10), "A");
        ledger.Reverse(30, order, T0.AddDays(1));
        ledger.ExpireDue(T0.AddDays(10));

        Assert.Equal(0, ledger.Reversible(order)); // 30 reversed, 70 expired
    }

    [Fact]
    public void ChangedLots_LoadedLots_OnlyTheTouchedOnes()
    {
        var a = new PointLot(1, PointLot.Earn, 100, 100, 0, 0, T0, T0.AddDays(365), "A");
        var b = new PointLot(2, PointLot.Earn, 100, 100, 0, 0, T0.AddDays(1), T0.AddDays(366), "B");
        var ledger = new PointLedger([b, a]);

        ledger.Redeem(30);

        Assert.Equal([1L], ledger.ChangedLots().Select(l => l.Id));
        Assert.Equal(70, ledger.ChangedLots().Single().Remaining);
    }
}
