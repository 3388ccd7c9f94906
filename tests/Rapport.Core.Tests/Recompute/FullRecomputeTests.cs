using Rapport.Core.Needs;
using Rapport.Core.Recompute;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Needs;
using Rapport.Core.Tests.Segments;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;

namespace Rapport.Core.Tests.Recompute;

/// <summary>The full recomputation (value and needs, then segments), on both stores.</summary>
public sealed class FullRecomputeTests
{
    [Theory, BothStores]
    public async Task FullRecompute_ValueNeedsAndClusters_SegmentsOnTheNewClustersCurrentWhenItReturns(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        var regulars = await h.CreateAsync("Regulars", "needs.cluster = \"Loyal store regulars\"");
        Assert.Empty(await h.MembersAsync(regulars)); // no clusters yet
        var value = new ValueServices(h);
        var full = new FullRecompute(value.Recompute, h.NeedsRecompute, new SegmentJobs(h.Writer, h.SegmentRuntime, h.Clock));

        var phases = new List<string>();
        var summary = (await full.TryRunAsync(p => phases.Add(p.Phase)))!;

        Assert.Equal(12, summary.Value!.Customers);
        Assert.Equal(12, summary.Needs!.Customers);
        Assert.Equal("fitted", summary.Needs.Clusters!.Status);
        Assert.Equal(("done", 12), (summary.Segments.State, summary.Segments.Customers));
        Assert.Null(summary.Message);
        Assert.Equal(["value and needs", "segments", "done"], phases.Distinct()); // needs' progress comes as "value and needs"
        Assert.Equal("done", full.Progress.Phase);

        // The refit no longer refreshes live segments itself; the segment step did.
        Assert.Equal(6, (await h.MembersAsync(regulars)).Count);
        Assert.Equal(6, summary.Segments.Entered);
    }

    [Theory, BothStores]
    public async Task NeedsRecompute_SegmentsFollow_LeavesLiveSegmentsToTheSegmentStep(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        var regulars = await h.CreateAsync("Regulars", "needs.cluster = \"Loyal store regulars\"");

        await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2, SegmentsFollow: true));

        // Not read twice: the clusters are fitted, memberships wait for the segment recomputation.
        Assert.Equal(12, (await h.Needs.ClustersAsync()).Clusters.Sum(x => x.Size));
        Assert.Empty(await h.MembersAsync(regulars));
        await h.Segments.Recompute().Completion;
        Assert.Equal(6, (await h.MembersAsync(regulars)).Count);
    }

    [Theory, BothStores]
    public async Task FullRecompute_AlreadyRunning_SecondCallReturnsNullAtOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        var full = new FullRecompute(new ValueServices(h).Recompute, h.NeedsRecompute, new SegmentJobs(h.Writer, h.SegmentRuntime, h.Clock));

        // The writer held: the first call cannot get past its first write until released.
        var release = new TaskCompletionSource();
        var held = h.Writer.WriteAsync(async _ => { await release.Task; return 0; });
        var first = full.TryRunAsync();
        Assert.Null(await full.TryRunAsync());
        release.SetResult();
        await held;
        Assert.NotNull(await first);
    }
}
