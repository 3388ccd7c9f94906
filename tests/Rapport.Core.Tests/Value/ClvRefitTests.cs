using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Storage;
using Rapport.Core.Value;

namespace Rapport.Core.Tests.Value;

/// <summary>CLV models fitted on the store: versions, predictions for every customer, failures recorded.</summary>
public sealed class ClvRefitTests
{
    [Theory, BothStores]
    public async Task Fit_SimulatedCustomers_VersionWithAPredictionForEveryCustomer(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        var sales = ValueTestData.Simulated(600);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, sales);

        var first = await v.Refit.FitAsync(new ClvFitRequest());
        var second = await v.Refit.FitAsync(new ClvFitRequest(ClvFitRequest.BgNbd, 26, 0.05, 0.3));

        Assert.True(first.Fitted, first.Model.Message);
        Assert.Equal(ids.Count, first.Predictions);
        Assert.Equal(ids.Count, first.Model.Customers);
        Assert.True(first.Model.CalibrationEnd <= new DateOnly(2025, 9, 30));
        Assert.Equal(["a", "alpha", "b", "gamma", "p", "q", "r"], first.Model.Parameters!.Keys.Order());
        Assert.True(first.Model.LogLikelihood < 0);
        Assert.Equal(1.0, first.Model.Margin); // no costs recorded: the data shows no margin, so revenue CLV
        Assert.True(second.Model.Id > first.Model.Id);
        Assert.Equal((26, 0.05, 0.3), (second.Model.HorizonWeeks, second.Model.DiscountRate, second.Model.Margin!.Value));
        Assert.Equal(ids.Count, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_predictions WHERE model_id = @id", new { id = second.Model.Id }));

        var models = await v.Queries.ModelsAsync(10);
        Assert.Equal([second.Model.Id, first.Model.Id], models.Select(m => m.Id));
        Assert.Equal([true, false], models.Select(m => m.Current));

        var best = await v.Queries.GetAsync(second.TopCustomerId!.Value);
        Assert.Equal(second.Model.Id, best!.Prediction!.ModelId);
        Assert.Equal(1.0, best.Prediction.ClvPercentile);
        Assert.Equal(second.TopClv, best.Prediction.Clv);
        Assert.InRange(best.Prediction.ProbabilityAlive, 0, 1);
        var profile = await h.Customers.GetAsync(second.TopCustomerId!.Value);
        Assert.Equal(best.Prediction, profile!.Prediction);
        Assert.NotNull(profile.Value);
    }

    [Theory, BothStores]
    public async Task Fit_ThreeVersions_PredictionsOfTheOldestArePruned(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        var ids = await ValueTestData.InsertSalesAsync(h.Writer, ValueTestData.Simulated(300, seed: 3));

        var fits = new List<ClvFitOutcome>();
        for (int i = 0; i < 3; i++)
        {
            fits.Add(await v.Refit.FitAsync(new ClvFitRequest()));
        }

        Assert.All(fits, f => Assert.True(f.Fitted, f.Model.Message));
        Assert.Equal(0L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_predictions WHERE model_id = @id", new { id = fits[0].Model.Id }));
        Assert.Equal(2L * ids.Count, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_predictions"));
        Assert.Equal(3L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM clv_models"));
    }

    [Theory, BothStores]
    public async Task Fit_TooFewRepeatBuyers_FailedVersionWithMessageAndNoPredictions(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        var day = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await ValueTestData.InsertSalesAsync(h.Writer,
        [
            new("A", day, 10m), new("A", day.AddDays(7), 12m), new("B", day, 30m), new("C", day.AddDays(2), 5m),
        ]);

        var outcome = await v.Refit.FitAsync(new ClvFitRequest(ClvFitRequest.ParetoNbd));

        Assert.False(outcome.Fitted);
        Assert.Equal(ClvRefit.Failed, outcome.Model.Status);
        Assert.Contains("bought again", outcome.Model.Message, StringComparison.Ordinal);
        Assert.Null(outcome.Model.Parameters);
        Assert.Null(outcome.Model.LogLikelihood);
        Assert.Equal(0L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM customer_predictions"));
        var listed = Assert.Single(await v.Queries.ModelsAsync(5));
        Assert.Equal((ClvRefit.Failed, "pareto-nbd", false), (listed.Status, listed.Kind, listed.Current));
    }

    [Theory, BothStores]
    public async Task Fit_EmptyStore_FailedVersionSaysWhy(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);

        var outcome = await v.Refit.FitAsync(new ClvFitRequest());

        Assert.False(outcome.Fitted);
        Assert.Contains("No customer has bought yet", outcome.Model.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadRequests_SayWhatToUse()
    {
        Assert.Contains("bgnbd or pareto-nbd", new ClvFitRequest("gamma").Validate(), StringComparison.Ordinal);
        Assert.Contains("between 1 and 520", new ClvFitRequest(HorizonWeeks: 0).Validate(), StringComparison.Ordinal);
        Assert.Contains("0.1 for 10%", new ClvFitRequest(DiscountRate: 3).Validate(), StringComparison.Ordinal);
        Assert.Contains("(0, 1]", new ClvFitRequest(Margin: 0).Validate(), StringComparison.Ordinal);
        Assert.Null(new ClvFitRequest(ClvFitRequest.ParetoNbd, 104, 0, 1).Validate());
    }

    [Theory, BothStores]
    public async Task Fit_WithCostsRecorded_DefaultMarginIsTheObservedShare(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var v = new ValueServices(h);
        await ValueTestData.SetUnitCostAsync(h.Db, "GOODS", 1m, 1m);
        await ValueTestData.InsertSalesAsync(h.Writer, ValueTestData.Simulated(300, seed: 5));
        // Every order line has quantity 1 and unit cost 1.00: margin = net revenue − 1 per order.
        var (margin, net) = await MarginAndNetAsync(h);

        var outcome = await v.Refit.FitAsync(new ClvFitRequest());

        Assert.True(outcome.Fitted, outcome.Model.Message);
        Assert.Equal(Math.Round((double)margin / net, 4), outcome.Model.Margin);
    }

    private static async Task<(long Margin, long Net)> MarginAndNetAsync(CoreHarness h) => (
        await ValueTestData.CountAsync(h.Db, "SELECT CAST(SUM(margin_e4) AS BIGINT) FROM customer_value"),
        await ValueTestData.CountAsync(h.Db, "SELECT CAST(SUM(revenue_e4 - discount_e4 - returns_e4) AS BIGINT) FROM customer_value"));
}
