using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

public sealed class DecayAndSharesTests
{
    private const long Day = 86_400_000;

    [Fact]
    public void Weight_OneHalfLifeOlder_WeighsHalf()
    {
        Assert.Equal(0.5, Decay.Weight(0, 90 * Day, 90), 12);
        Assert.Equal(0.25, Decay.Weight(0, 180 * Day, 90), 12);
        Assert.Equal(1.0, Decay.Weight(5 * Day, 5 * Day, 90), 12);
    }

    [Fact]
    public void Shares_OlderViewsCountLess()
    {
        // Two Lamps views 30 days ago (weight 0.5 each at a 30-day half-life), one Chairs view now.
        var shares = Decay.Shares(
            [("Lamps", 0, 1.0), ("Lamps", 0, 1.0), ("Chairs", 30 * Day, 1.0), (null, 30 * Day, 1.0)],
            halfLifeDays: 30);

        Assert.Equal(["Chairs", "Lamps"], shares.Select(s => s.Key));
        Assert.Equal(0.5, shares[0].Value, 12);
        Assert.Equal(0.5, shares[1].Value, 12);
    }

    [Fact]
    public void Shares_DoNotDependOnWhenTheyAreComputed()
    {
        var recent = Decay.Shares([("A", 100 * Day, 3.0), ("B", 110 * Day, 1.0)], 20);
        var shifted = Decay.Shares([("A", 5000 * Day, 3.0), ("B", 5010 * Day, 1.0)], 20);

        Assert.Equal(recent[0].Value, shifted[0].Value, 12);
        Assert.Equal(recent[1].Value, shifted[1].Value, 12);
    }

    [Fact]
    public void Shares_LongHistoryDoesNotUnderflowTheLatest()
    {
        var shares = Decay.Shares([("Old", 0, 1.0), ("New", 20 * 365 * Day, 1.0)], 1);

        Assert.Equal("New", shares[0].Key);
        Assert.Equal(1.0, shares[0].Value, 12);
    }

    [Fact]
    public void Affinity_BlendsSpendAndViews_TwoThirdsSpend()
    {
        var views = new[] { new ProductView(0, "Lamps"), new ProductView(0, "Chairs") };
        var lines = new[] { Line("o1", 0, "L1", "Lamps", 1, 10_0000) };

        var affinity = NeedsCalculator.Affinity(views, lines, NeedsSettings.Default);

        var lamps = affinity.Single(a => a.Category == "Lamps");
        var chairs = affinity.Single(a => a.Category == "Chairs");
        Assert.Equal(0.5, lamps.ViewShare);
        Assert.Equal(1.0, lamps.SpendShare);
        Assert.Equal((2.0 / 3) + (0.5 / 3), lamps.Affinity, 12);
        Assert.Equal(0.0, chairs.SpendShare);
        Assert.Equal(0.5 / 3, chairs.Affinity, 12);
        Assert.Equal("Lamps", affinity[0].Category);
    }

    [Fact]
    public void Affinity_OnlyViews_IsTheViewShare()
    {
        var affinity = NeedsCalculator.Affinity([new ProductView(0, "Lamps"), new ProductView(0, null)], [], NeedsSettings.Default);

        var lamps = Assert.Single(affinity);
        Assert.Null(lamps.SpendShare);
        Assert.Equal(1.0, lamps.Affinity);
    }

    [Fact]
    public void Channels_SharesOfInteractionsAndPurchases()
    {
        var channels = NeedsCalculator.ChannelShares(
            new Dictionary<string, long> { ["web"] = 6, ["store"] = 2 },
            new Dictionary<string, long> { ["store"] = 3, ["phone"] = 1 });

        Assert.Equal(["store", "phone", "web"], channels.Select(c => c.Channel));
        var store = channels[0];
        Assert.Equal(0.25, store.InteractionShare);
        Assert.Equal(0.75, store.PurchaseShare);
        Assert.Equal(0.0, channels[2].PurchaseShare);
        Assert.Equal(0.0, channels[1].InteractionShare);
    }

    [Fact]
    public void Sensitivity_CountsDiscountCouponAndBelowListPrice()
    {
        var lines = new[]
        {
            Line("full", 0, "A", null, 2, 10_0000, listE4: 10_0000),          // 20.00 at list price
            Line("cheap", 0, "A", null, 1, 8_0000, listE4: 10_0000),          // below list
            Line("coupon", 0, "B", null, 1, 20_0000, discounted: true),       // coupon order
            Line("cent", 0, "C", null, 1, 9_9500, listE4: 10_0000),           // 0.5% below: no discount
        };

        var s = NeedsCalculator.Sensitivity(lines, shown: 4, accepted: 1, coupons: 1);

        Assert.Equal(5, s.Units);
        Assert.Equal(2, s.DiscountedUnits);
        Assert.Equal(0.4, s.UnitShare);
        Assert.Equal(28.0 / 57.95, s.RevenueShare!.Value, 12);
        Assert.Equal(0.25, s.OfferResponse);
        Assert.Equal(((28.0 / 57.95) + 0.25) / 2, s.Score!.Value, 12);
    }

    [Fact]
    public void Sensitivity_NothingKnown_IsNull()
    {
        var s = NeedsCalculator.Sensitivity([], 0, 0, 0);

        Assert.Null(s.Score);
        Assert.Null(s.RevenueShare);
        Assert.Null(s.OfferResponse);
    }

    [Fact]
    public void Preferences_LatestStatementWins_WithSourceAndTime()
    {
        var p = NeedsCalculator.Preferences(
        [
            new PreferenceStatement(20, "event:Preferences Stated", "Perks", ["garden"]),
            new PreferenceStatement(10, "trait:values_most", "quality", null),
            new PreferenceStatement(30, "trait:values_most", "something odd", ["Garden, lighting", "garden"]),
        ]);

        Assert.Equal("perks", p.ValuesMost!.Value);
        Assert.Equal("event:Preferences Stated", p.ValuesMost.Source);
        Assert.Equal(20, p.ValuesMost.At);
        Assert.Equal(["Garden", "lighting"], p.Interests!.Value);
        Assert.Equal(30, p.Interests.At);
    }

    internal static PurchaseLine Line(string order, long at, string sku, string? category, long quantity, long priceE4, long? listE4 = null, bool discounted = false) =>
        new(order, at, sku, category, quantity, priceE4, listE4, discounted);
}
