using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

/// <summary>Points per amount, category, channel, event and tier; returns; tiers with grace.</summary>
public sealed class EarningRulesTests
{
    private static readonly LoyaltyProgram Program = new()
    {
        PointsPerUnit = 1m,
        Categories = new Dictionary<string, decimal> { ["garden"] = 3m },
        Channels = new Dictionary<string, decimal> { ["store"] = 2m },
        Events = new Dictionary<string, long> { ["Review Submitted"] = 50 },
        Tiers = [new("member", 0m, 1m), new("silver", 500m, 1.5m), new("gold", 2000m, 2m)],
        TierGraceDays = 30,
    };

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ForOrder_CategoryChannelAndTier_Multiply()
    {
        var order = new EarnOrder(100m, 0m, "store", [new(50m, "garden"), new(50m, "kitchen")]);

        // 50·3 + 50·1 = 200, × 2 (store) × 1.5 (silver)
        Assert.Equal(600, EarningRules.ForOrder(Program, order, "silver"));
    }

    [Fact]
    public void ForOrder_PartPaidWithPoints_OnlyTheCashPartEarns()
    {
        var order = new EarnOrder(80m, 30m, "web", [new(80m, null)]);

        Assert.Equal(50, EarningRules.ForOrder(Program, order, "member"));
        Assert.Equal(0, EarningRules.ForOrder(Program, order with { PaidWithPoints = 80m }, "member"));
    }

    [Fact]
    public void ForOrder_FractionOfAPoint_RoundedDown()
    {
        Assert.Equal(9, EarningRules.ForOrder(Program, new EarnOrder(9.99m, 0m, "web", []), null));
    }

    [Fact]
    public void ForEvent_ConfiguredAndNot_FixedPointsTimesTier()
    {
        Assert.Equal(100, EarningRules.ForEvent(Program, "Review Submitted", "gold"));
        Assert.Equal(0, EarningRules.ForEvent(Program, "Page Viewed", "gold"));
    }

    [Theory]
    [InlineData(100, 200, 50, 100, 25)]   // a quarter refunded
    [InlineData(100, 200, 500, 100, 100)] // more than the order: all of it
    [InlineData(100, 200, 200, 40, 40)]   // 60 already expired or reversed
    [InlineData(0, 200, 200, 0, 0)]
    public void ToReverse_Shares_Capped(long earned, decimal total, decimal refunded, long reversible, long expected) =>
        Assert.Equal(expected, EarningRules.ToReverse(earned, total, refunded, reversible));

    [Fact]
    public void Tier_QualifiesHigher_UpgradedAtOnce()
    {
        var d = TierRules.Evaluate(Program, new TierState("member", null), 2500m, T0);

        Assert.True(d.Changed);
        Assert.Equal(new TierState("gold", null), d.State);
        Assert.Equal("member", d.Previous);
    }

    [Fact]
    public void Tier_FallsBelow_KeptThroughGraceThenDowngraded()
    {
        var start = TierRules.Evaluate(Program, new TierState("gold", null), 600m, T0);
        Assert.False(start.Changed);
        Assert.Equal(new TierState("gold", T0), start.State);

        var during = TierRules.Evaluate(Program, start.State, 600m, T0.AddDays(29));
        Assert.False(during.Changed);
        Assert.Equal("gold", during.State.Tier);

        var after = TierRules.Evaluate(Program, during.State, 600m, T0.AddDays(30));
        Assert.True(after.Changed);
        Assert.Equal(new TierState("silver", null), after.State);
    }

    [Fact]
    public void Tier_QualifiesAgainDuringGrace_GraceCleared()
    {
        var below = TierRules.Evaluate(Program, new TierState("gold", null), 600m, T0).State;

        var again = TierRules.Evaluate(Program, below, 2100m, T0.AddDays(10));

        Assert.Equal(new TierState("gold", null), again.State);
        Assert.False(again.Changed);
    }

    [Fact]
    public void Tier_NewMember_BaseTierIsNoChange()
    {
        Assert.False(TierRules.Evaluate(Program, null, 10m, T0).Changed);
        Assert.Equal(("silver", 490m), TierRules.Progress(Program, "member", 10m));
        Assert.Null(TierRules.Progress(Program, "gold", 9000m));
    }

    [Fact]
    public void Validate_BadProgram_SaysWhatToFix()
    {
        var bad = Program with { Tiers = [new("member", 10m, 1m), new("gold", 5m, 2m)], PointValue = 0, TierBasis = "visits" };

        var errors = bad.Validate();

        Assert.Contains(errors, e => e.Contains("threshold 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("higher threshold", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("pointValue", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("tierBasis 'visits'", StringComparison.Ordinal));
        Assert.Empty(Program.Validate());
    }
}
