using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>Subscriptions on both stores: the customer's cadence, skip, pause, resume, cancel, the regular-supply price.</summary>
public sealed class SubscriptionTests
{
    [Theory, BothStores]
    public async Task Create_CustomerBoughtEvery14Days_NextDateFromTheirCadence(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store);
        const int day = 60 * 24;
        await h.SendAsync(
            Ev.Track("o1", 0, "Order Completed", Ev.Order("A", ("COFFEE", 12m, 1)), user: "ann"),
            Ev.Track("o2", 14 * day, "Order Completed", Ev.Order("B", ("COFFEE", 12m, 1)), user: "ann"),
            Ev.Track("o3", 28 * day, "Order Completed", Ev.Order("C", ("COFFEE", 12m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann"); // last purchase 2026-03-01, today is 2026-03-01

        var created = await h.Subscriptions.CreateAsync(ann, "COFFEE", 2, null, null, null);

        var s = created.Value!;
        Assert.Equal((14, "cadence"), (s.IntervalDays, s.IntervalSource));
        Assert.Equal(new DateOnly(2026, 3, 15), s.NextDate);
        Assert.Equal((12m, 11.4m), (s.UnitPrice, s.SubscriptionPrice)); // 5% regular-supply discount
    }

    [Theory, BothStores]
    public async Task SkipPauseResumeCancel_Lifecycle_DatesKeepTheRhythm(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store);
        await h.SendAsync(Ev.Track("o1", 0, "Order Completed", Ev.Order("A", ("TEA", 5m, 1)), user: "ann"));
        var ann = await h.CustomerAsync("ann");
        var s = (await h.Subscriptions.CreateAsync(ann, "TEA", 1, 28, new DateOnly(2026, 3, 10), 10m)).Value!;

        var skipped = (await h.Subscriptions.SkipAsync(s.Id)).Value!;
        var paused = (await h.Subscriptions.PauseAsync(s.Id, new DateOnly(2026, 5, 1))).Value!;
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 5, 2, 0, 0, 0, TimeSpan.Zero));
        var afterPause = (await h.Subscriptions.ForCustomerAsync(ann))!.Single();
        var cancelled = (await h.Subscriptions.CancelAsync(s.Id)).Value!;
        var resumeCancelled = await h.Subscriptions.ResumeAsync(s.Id);
        var pastPause = await h.Subscriptions.CreateAsync(ann, "TEA", 1, 28, new DateOnly(2026, 5, 1), null);

        Assert.Equal(new DateOnly(2026, 4, 7), skipped.NextDate);
        Assert.Equal(("paused", new DateOnly(2026, 5, 1)), (paused.Status, paused.PausedUntil));
        Assert.Equal(("active", new DateOnly(2026, 5, 5)), (afterPause.Status, afterPause.NextDate)); // 04-07 + 28
        Assert.Equal("cancelled", cancelled.Status);
        Assert.Equal(SubscriptionError.Cancelled, resumeCancelled.Error);
        Assert.Equal(SubscriptionError.BadInput, pastPause.Error);
        Assert.Contains("is in the past (today is 2026-05-02 UTC)", pastPause.Problem, StringComparison.Ordinal);
    }
}
