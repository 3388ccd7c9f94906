using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

public sealed class CustomerSummariesTests
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    private static Transaction Buy(string id, int day, decimal amount) => new(id, Jan1.AddDays(day), amount);

    [Fact]
    public void Build_SameDayPurchases_MergedIntoOneTransactionWithSummedAmount()
    {
        var log = new[] { Buy("a", 0, 10m), Buy("a", 7, 5m), Buy("a", 7, 15m), Buy("a", 14, 30m) };

        var a = Assert.Single(CustomerSummaries.Build(log, Jan1.AddDays(28)));

        Assert.Equal(2, a.Frequency);
        Assert.Equal(2.0, a.Recency);
        Assert.Equal(4.0, a.Age);
        Assert.Equal(25.0, a.MeanRepeatValue); // (5 + 15 + 30) / 2 days, first purchase excluded
    }

    [Fact]
    public void Build_PurchasesOnFirstDay_AreNotRepeatPurchases()
    {
        var log = new[] { Buy("a", 3, 10m), Buy("a", 3, 99m) };

        var a = Assert.Single(CustomerSummaries.Build(log, Jan1.AddDays(10)));

        Assert.Equal(Jan1.AddDays(3), a.FirstPurchase);
        Assert.Equal(0, a.Frequency);
        Assert.Equal(0.0, a.Recency);
        Assert.Equal(1.0, a.Age);
        Assert.Equal(0.0, a.MeanRepeatValue);
    }

    [Fact]
    public void Build_UnsortedInput_SortsByCustomerAndDate()
    {
        var log = new[] { Buy("b", 21, 1m), Buy("a", 14, 1m), Buy("b", 0, 1m), Buy("a", 7, 1m) };

        var s = CustomerSummaries.Build(log, Jan1.AddDays(28));

        Assert.Equal(["b", "a"], s.Select(c => c.CustomerId));
        Assert.Equal(3.0, s[0].Recency);
        Assert.Equal(1.0, s[1].Recency);
        Assert.Equal(3.0, s[1].Age);
    }

    [Fact]
    public void Build_WithHoldout_CountsHoldoutDaysAndIgnoresLaterOnes()
    {
        var log = new[]
        {
            Buy("a", 0, 1m), Buy("a", 5, 1m), Buy("a", 10, 1m), Buy("a", 11, 1m), Buy("a", 11, 1m), Buy("a", 30, 1m),
        };

        var a = Assert.Single(CustomerSummaries.Build(log, Jan1.AddDays(7), Jan1.AddDays(14)));

        Assert.Equal(1, a.Frequency);
        Assert.Equal(2, a.HoldoutFrequency); // days 10 and 11; day 30 is past the holdout end
        Assert.Equal(1.0, a.Age);
    }

    [Fact]
    public void Build_FirstPurchaseAfterCalibrationEnd_CustomerLeftOut()
    {
        var log = new[] { Buy("early", 0, 1m), Buy("late", 9, 1m), Buy("late", 10, 1m) };

        var s = CustomerSummaries.Build(log, Jan1.AddDays(7), Jan1.AddDays(14));

        Assert.Equal("early", Assert.Single(s).CustomerId);
    }

    [Fact]
    public void Build_HoldoutEndNotAfterCalibrationEnd_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => CustomerSummaries.Build([], Jan1, Jan1));

        Assert.Contains("must be after the calibration end", e.Message);
    }

    [Fact]
    public void Build_CdnowSample_MatchesPublishedCounts()
    {
        var s = CdnowSample.Summaries;

        // FHL (2005): 2,357 customers, 946 repeat buyers, 2,457 repeat purchases in weeks 1-39.
        Assert.Equal(2357, s.Length);
        Assert.Equal(946, s.Count(c => c.Frequency > 0));
        Assert.Equal(2457, s.Sum(c => c.Frequency));
        Assert.Equal(1882, s.Sum(c => c.HoldoutFrequency));
        Assert.Equal(38.857142857142854, s[0].Age, 12); // first purchase 1997-01-01: 272 days / 7
    }

    [Fact]
    public void RepeatPurchaseDataFrom_CdnowSample_CompressesToDistinctTriples()
    {
        var d = CdnowSample.Data;

        Assert.Equal(2357, d.CustomerCount);
        Assert.Equal(946, d.RepeatBuyerCount);
        Assert.Equal(2357.0, d.Count.Sum());
        Assert.True(d.GroupCount < 1100, $"expected heavy compression, got {d.GroupCount} groups");
    }

    [Fact]
    public void RepeatPurchaseDataFrom_RecencyAfterAge_ThrowsNamingTheCustomer()
    {
        var e = Assert.Throws<ArgumentException>(() => RepeatPurchaseData.From([1, 2], [1.0, 5.0], [3.0, 4.0]));

        Assert.Contains("Customer 1", e.Message);
    }
}
