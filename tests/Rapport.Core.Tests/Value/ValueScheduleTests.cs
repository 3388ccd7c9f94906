using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Value;

namespace Rapport.Core.Tests.Value;

/// <summary>The schedule in the server, driven by a fake clock.</summary>
public sealed class ValueScheduleTests
{
    [Theory, BothStores]
    public async Task Schedule_StoreWithDataThenOneInterval_FitsAtOnceThenANewVersion(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var options = new ValueOptions { RefitInterval = TimeSpan.FromHours(6), RecomputeInterval = TimeSpan.FromHours(6) };
        var v = new ValueServices(h, options);
        await ValueTestData.InsertSalesAsync(h.Writer, ValueTestData.Simulated(300, seed: 9));
        var schedule = new ValueSchedule(v.Recompute, v.Refit, h.Db, options, h.Clock);
        var waits = new SemaphoreSlim(0);
        var until = new List<DateTimeOffset>();
        schedule.Waiting += at =>
        {
            lock (until)
            {
                until.Add(at);
            }

            waits.Release();
        };
        var log = new List<string>();
        using var stop = new CancellationTokenSource();
        var run = schedule.RunAsync(line => { lock (log) { log.Add(line); } }, stop.Token);

        Assert.True(await waits.WaitAsync(TimeSpan.FromSeconds(60)), "the schedule never went to sleep");
        var afterFirst = await v.Queries.ModelsAsync(10);
        h.Clock.Advance(TimeSpan.FromHours(6));
        Assert.True(await waits.WaitAsync(TimeSpan.FromSeconds(60)), "the schedule did not wake up after one interval");
        var afterSecond = await v.Queries.ModelsAsync(10);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var first = Assert.Single(afterFirst);
        Assert.Equal(ClvRefit.Fitted, first.Status);
        Assert.Equal(2, afterSecond.Count);
        Assert.True(afterSecond[0].Id > first.Id);
        Assert.Equal(2L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM value_population"));
        Assert.Equal(h.Clock.GetUtcNow().AddHours(6), until[^1]);
        Assert.Contains(log, l => l.Contains("CLV model", StringComparison.Ordinal));
    }

    [Theory, BothStores]
    public async Task Schedule_EmptyStore_SleepsOneIntervalFromStart(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var options = new ValueOptions();
        var v = new ValueServices(h, options);
        var schedule = new ValueSchedule(v.Recompute, v.Refit, h.Db, options, h.Clock);
        var slept = new TaskCompletionSource<DateTimeOffset>();
        schedule.Waiting += at => slept.TrySetResult(at);
        using var stop = new CancellationTokenSource();
        var run = schedule.RunAsync(_ => { }, stop.Token);

        var at = await slept.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.Equal(h.Clock.GetUtcNow().AddDays(1), at);
        Assert.Equal(0L, await ValueTestData.CountAsync(h.Db, "SELECT COUNT(*) FROM clv_models"));
    }
}
