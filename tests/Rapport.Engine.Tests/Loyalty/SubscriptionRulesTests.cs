using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

public sealed class SubscriptionRulesTests
{
    private static readonly DateOnly Today = new(2026, 5, 1);

    [Fact]
    public void Cadence_ThreePurchaseDays_MedianGap()
    {
        Assert.Equal(30, SubscriptionRules.Cadence([new(2026, 1, 1), new(2026, 1, 31), new(2026, 3, 2), new(2026, 3, 2)]));
        Assert.Null(SubscriptionRules.Cadence([new(2026, 1, 1), new(2026, 1, 31)]));
    }

    [Fact]
    public void FirstDate_CadenceKnown_OneCadenceAfterTheLastPurchase()
    {
        Assert.Equal(new DateOnly(2026, 5, 20), SubscriptionRules.FirstDate(Today, 28, null, 30, new DateOnly(2026, 4, 20)));
        Assert.Equal(Today.AddDays(28), SubscriptionRules.FirstDate(Today, 28, null, 30, new DateOnly(2026, 1, 1))); // cadence date passed
        Assert.Equal(Today.AddDays(28), SubscriptionRules.FirstDate(Today, 28, null, null, null));
        Assert.Equal(Today.AddDays(3), SubscriptionRules.FirstDate(Today, 28, Today.AddDays(3), 30, new DateOnly(2026, 4, 20)));
    }

    [Fact]
    public void SkipResumeAndPrice_KeepTheRhythm()
    {
        Assert.Equal(new DateOnly(2026, 6, 1), SubscriptionRules.Skip(new DateOnly(2026, 5, 4), 28));
        Assert.Equal(new DateOnly(2026, 5, 29), SubscriptionRules.Resume(new DateOnly(2026, 4, 3), 28, new DateOnly(2026, 5, 10)));
        Assert.Equal(9.49m, SubscriptionRules.DiscountedPrice(9.99m, 5m));
    }
}
