using Rapport.Engine.Loyalty;

namespace Rapport.Engine.Tests.Loyalty;

public sealed class ReciprocityValuationTests
{
    [Fact]
    public void Value_EveryItem_PricedAndBalanced()
    {
        var facts = new ReciprocityFacts(
            GrossMargin: 100m, Referrals: 2, Reviews: 3, PreferencesStated: 4, Consents: 1,
            Discounts: 10m, PointsRedeemed: 500, OtherRewards: 2m, Surprises: 8m, Service: 12m, Donations: 3m);

        var b = ReciprocityValuation.Value(facts, new ReciprocityPrices(Referral: 25m, Review: 5m, Preference: 0.5m, Consent: 1m), pointValue: 0.01m);

        Assert.Equal(168m, b.Given.Total);   // 100 + 50 + 15 + 2 + 1
        Assert.Equal(40m, b.Received.Total); // 10 + (5 + 2) + 8 + 12 + 3
        Assert.Equal(128m, b.Balance);
        Assert.Equal(7m, b.Received.Items["rewards"]);
        Assert.Equal(3m, b.Given.Items["dataShared"]);
        Assert.Equal(40.0 / 168.0, b.Ratio!.Value, 9);
    }
}
