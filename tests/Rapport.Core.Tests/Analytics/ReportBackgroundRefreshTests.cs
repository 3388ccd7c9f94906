using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Analytics;

namespace Rapport.Core.Tests.Analytics;

/// <summary>
/// A refresh asked by someone who must not wait for it (a page's "Recompute now" button,
/// ReportCache.RefreshInBackground): answered at once with the report held and when the
/// recomputation started; the new report replaces it when done; a failed one leaves the old
/// report and says why.
/// </summary>
public sealed class ReportBackgroundRefreshTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RefreshInBackground_AnswersAtOnceWithTheHeldReport_ThenTheNewOne()
    {
        var clock = new FakeTimeProvider(Now);
        var cache = new ReportCache(clock);
        var computed = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Compute(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref computed);
            if (n > 1)
            {
                await release.Task; // the recomputation runs until the test lets it finish
            }

            return n;
        }

        Assert.Equal(1, (await cache.GetAsync("k", Compute)).Report);
        clock.Advance(TimeSpan.FromMinutes(1));

        var asked = await ButtonAsync(cache, Compute); // would hang here if the button waited
        Assert.Equal(1, asked.Report);
        Assert.Equal(Now.AddMinutes(1), asked.RefreshingSince);
        Assert.Equal(Now, asked.ComputedAt);
        var again = await ButtonAsync(cache, Compute); // a second click while it runs: still at once, same start shown
        Assert.Equal((1, Now.AddMinutes(1)), (again.Report, again.RefreshingSince));
        Assert.Equal(Now.AddMinutes(1), (await cache.GetAsync("k", Compute)).RefreshingSince); // plain readers see it too

        release.SetResult();
        var fresh = await UntilAsync(() => cache.GetAsync("k", Compute), r => r.Report > 1 && r.RefreshingSince is null);
        Assert.Equal(Now.AddMinutes(1), fresh.ComputedAt);
        Assert.InRange(computed, 2, 3); // the clicks queued behind the running computation shared at most one more
    }

    [Fact]
    public async Task RefreshInBackground_NothingHeldYet_StartsTheFirstComputation_NotReady()
    {
        var cache = new ReportCache(new FakeTimeProvider(Now));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Slow(CancellationToken ct)
        {
            await release.Task;
            return 7;
        }

        Assert.Equal("k", (await Assert.ThrowsAsync<ReportNotReadyException>(() => ButtonAsync(cache, Slow))).Key);
        release.SetResult();
        Assert.Equal(7, (await UntilAsync(async () => cache.Has("k") ? await cache.GetAsync("k", Slow) : null, r => r is not null))!.Report);
    }

    [Fact]
    public async Task RefreshInBackground_Fails_OldReportKept_AndTheFailureSaid_UntilOneSucceeds()
    {
        var cache = new ReportCache(new FakeTimeProvider(Now));
        var fail = false;
        var computed = 0;
        Task<int> Compute(CancellationToken ct) =>
            fail ? throw new InvalidOperationException("the store went away") : Task.FromResult(Interlocked.Increment(ref computed));

        await cache.GetAsync("k", Compute);
        fail = true;
        await ButtonAsync(cache, Compute);
        var failed = await UntilAsync(() => cache.GetAsync("k", Compute), r => r.RefreshFailed is not null && r.RefreshingSince is null);
        Assert.Equal((1, "the store went away"), (failed.Report, failed.RefreshFailed));

        fail = false;
        await ButtonAsync(cache, Compute);
        var ok = await UntilAsync(() => cache.GetAsync("k", Compute), r => r.Report == 2 && r.RefreshingSince is null);
        Assert.Null(ok.RefreshFailed);
    }

    /// <summary>What a page's POST handler does: background mode in its own flow, then a refresh read.</summary>
    private static async Task<Cached<int>> ButtonAsync(ReportCache cache, Func<CancellationToken, Task<int>> compute)
    {
        ReportCache.RefreshInBackground();
        return await cache.GetAsync("k", compute, refresh: true);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        for (var i = 0; i < 500; i++)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the report did not reach the expected state within 10 s");
    }
}
