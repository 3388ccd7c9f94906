using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Value;

namespace Rapport.Core.Tests.Segments;

/// <summary>The dashboard's segment preview over a big store: a random sample scaled up, within its stated margin of the exact count.</summary>
public sealed class SegmentEstimateTests
{
    [Theory, BothStores]
    public async Task Preview_OverExactUpTo_EstimatesFromASample_WithinItsMargin(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        const int customers = 12_000;
        await using (var c = await h.Db.OpenAsync())
        {
            await using var tx = await c.BeginTransactionAsync();
            await h.Db.Dialect.BulkInsertAsync(c, tx, "customers", ["id", "created_at"], Enumerable.Range(1, customers).Select(i => new object?[] { (long)i, 0L }));
            // Every third customer has ordered three times: value.orders >= 2 selects 4,000.
            await h.Db.Dialect.BulkInsertAsync(c, tx, "customer_value", CustomerValueSnapshot.Columns, Enumerable.Range(1, customers).Where(i => i % 3 == 0).Select(i =>
                CustomerValueUpdater.Snapshot(i, new CustomerValueFigures(3, 0, 300_000, 0, 0, 0, 0, 0, 1_000, 2_000), null, ValueTiers.Default, 0).ToRow()));
            await tx.CommitAsync();
        }

        var definition = Engine.Segments.SegmentDefinition.Parse("value.orders >= 2").Definition!;
        var exact = await h.Segments.PreviewAsync(definition, 3);
        var estimate = await h.Segments.PreviewAsync(definition, 3, exactUpTo: 1_000);
        var small = await h.Segments.PreviewAsync(definition, 3, exactUpTo: customers);

        Assert.Equal((4_000L, 12_000L, (long?)null), (exact.Count, exact.Customers, exact.Sampled));
        Assert.Equal((exact.Count, exact.Sampled), (small.Count, small.Sampled)); // at most exactUpTo customers: every one evaluated
        Assert.Equal(exact.Sample, small.Sample);
        Assert.Equal(SegmentEstimate.SampleSize, estimate.Sampled);
        Assert.Equal(customers, estimate.Customers);
        Assert.InRange(estimate.Margin!.Value, 1, 200); // p = 1/3 from 5,000 of 12,000: about ±120
        Assert.InRange(estimate.Count, 4_000 - estimate.Margin.Value, 4_000 + estimate.Margin.Value);
        Assert.All(estimate.Sample, id => Assert.Equal(0, id % 3)); // the examples are real members
    }

    [Fact]
    public void Scale_ProportionToTheLiveCustomers_WithAFinitePopulationMargin()
    {
        Assert.Equal((250_000L, 8_445L), SegmentEstimate.Scale(2_500, 10_000, 1_000_000));
        Assert.Equal((500L, 0L), SegmentEstimate.Scale(500, 1_000, 1_000)); // everyone drawn: no margin
        Assert.Equal((0L, 0L), SegmentEstimate.Scale(0, 10_000, 1_000_000));
    }
}
