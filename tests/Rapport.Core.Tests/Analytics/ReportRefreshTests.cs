using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Analytics;
using Rapport.Core.Consent;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Needs;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Analytics;

/// <summary>
/// The cached population reports follow the data after they expire (ten minutes, fake clock);
/// and a reader that must not wait (a dashboard page view) is told "not ready" while a first
/// computation runs, without starting a second one.
/// </summary>
public sealed class ReportRefreshTests
{
    [Theory, BothStores]
    public async Task NeedsAndConsent_DataChanged_SameFiguresUntilExpiry_ThenRefreshed(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2));
        var options = new ConsentOptions();
        var reports = new PopulationReports(new ReportCache(h.Clock), new NeedsOverview(h.Db, h.Needs), new ConsentOverview(h.Db, options, h.Clock), h.Db, h.Clock);
        var needs = await reports.NeedsAsync();
        var consent = await reports.ConsentAsync();
        Assert.Equal((12L, 0L), (needs.Report.Customers, consent.Report.CustomersWithAnswers));

        // The data changes: one customer's needs are gone, another answers.
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("DELETE FROM customer_needs WHERE customer_id = @id", new { id = await h.OwnerAsync(Identifier.UserId, "store0") });
        }

        var update = ConsentRequestParser.Parse((JsonObject)JsonNode.Parse("""{"consents": {"marketing": {"email": true}}}""")!, "api").Update!;
        await new ConsentService(h.Db, h.Writer, options, h.Clock).UpdateAsync(await h.OwnerAsync(Identifier.UserId, "web0"), update, replace: false);

        h.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Same(needs, await reports.NeedsAsync()); // within ten minutes: the figures computed before
        Assert.Same(consent, await reports.ConsentAsync());

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Same(needs.Report, (await reports.NeedsAsync()).Report); // expired: answered at once with the old figures, refreshed behind (their markers moved)
        Assert.Same(consent.Report, (await reports.ConsentAsync()).Report);
        var fresh = await UntilAsync(() => reports.NeedsAsync(), r => r.Report != needs.Report);
        var freshConsent = await UntilAsync(() => reports.ConsentAsync(), r => r.Report != consent.Report);
        Assert.Equal(11L, fresh.Report.Customers);
        Assert.Equal(1L, freshConsent.Report.CustomersWithAnswers);
        Assert.Equal((h.Clock.GetUtcNow(), h.Clock.GetUtcNow()), (fresh.ComputedAt, freshConsent.ComputedAt));
    }

    /// <summary>At a million customers each recomputation is minutes of CPU: a stale report whose sources did not change is only checked (its change marker), not recomputed, up to ReportFreshness.UnchangedMaxAge.</summary>
    [Theory, BothStores]
    public async Task NeedsAndConsent_NothingChanged_StaleReportCheckedNotRecomputed_UntilUnchangedMaxAge_ThenAChangeRecomputes(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await NeedsRecomputeTests.SeedTwoKindsAsync(h);
        await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(K: 2));
        var options = new ConsentOptions();
        var reports = new PopulationReports(new ReportCache(h.Clock), new NeedsOverview(h.Db, h.Needs), new ConsentOverview(h.Db, options, h.Clock), h.Db, h.Clock);
        var needs = await reports.NeedsAsync();
        var consent = await reports.ConsentAsync();

        h.Clock.Advance(TimeSpan.FromMinutes(11)); // stale (09:11, the same hour for consent's clock-dependent part)
        var checkedAt = h.Clock.GetUtcNow();
        Assert.Same(needs.Report, (await reports.NeedsAsync()).Report);
        var checkedNeeds = await UntilAsync(() => reports.NeedsAsync(), r => r.CheckedAt is not null);
        var checkedConsent = await UntilAsync(() => reports.ConsentAsync(), r => r.CheckedAt is not null);
        Assert.Same(needs.Report, checkedNeeds.Report); // not recomputed
        Assert.Same(consent.Report, checkedConsent.Report);
        Assert.Equal((needs.ComputedAt, checkedAt), (checkedNeeds.ComputedAt, checkedNeeds.CheckedAt!.Value));
        Assert.Equal((consent.ComputedAt, checkedAt), (checkedConsent.ComputedAt, checkedConsent.CheckedAt!.Value));

        h.Clock.Advance(TimeSpan.FromMinutes(5)); // fresh again since the check: not even checked
        Assert.Equal(checkedAt, (await reports.NeedsAsync()).CheckedAt);

        h.Clock.Advance(ReportFreshness.Default.UnchangedMaxAge); // unchanged, but older than the longest kept: recomputed
        await reports.NeedsAsync();
        var recomputed = await UntilAsync(() => reports.NeedsAsync(), r => r.ComputedAt == h.Clock.GetUtcNow());
        Assert.Null(recomputed.CheckedAt);
        Assert.Equal(needs.Report.Customers, recomputed.Report.Customers);

        // A change within the hour moves the marker: the next stale read recomputes.
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("DELETE FROM customer_needs WHERE customer_id = @id", new { id = await h.OwnerAsync(Identifier.UserId, "store0") });
        }

        var deleted = h.Clock.GetUtcNow();
        h.Clock.Advance(TimeSpan.FromMinutes(11));
        await reports.NeedsAsync();
        var changed = await UntilAsync(() => reports.NeedsAsync(), r => r.ComputedAt > deleted);
        Assert.Equal(needs.Report.Customers - 1, changed.Report.Customers);
    }

    [Fact]
    public async Task WaitAtMost_FirstComputationSlow_NotReadyAtOnce_OneComputation_ThenTheReport()
    {
        var cache = new ReportCache(new FakeTimeProvider(new DateTimeOffset(2026, 5, 15, 12, 0, 0, TimeSpan.Zero)));
        var release = new TaskCompletionSource();
        var computed = 0;
        async Task<int> Slow(CancellationToken ct)
        {
            Interlocked.Increment(ref computed);
            await release.Task;
            return 42;
        }

        async Task<Cached<int>> PageViewAsync()
        {
            ReportCache.WaitAtMost(TimeSpan.FromMilliseconds(30));
            return await cache.GetAsync("slow", Slow);
        }

        Assert.Equal("slow", (await Assert.ThrowsAsync<ReportNotReadyException>(PageViewAsync)).Key);
        await Assert.ThrowsAsync<ReportNotReadyException>(PageViewAsync); // still running: waited for again, not started again
        var warmer = cache.GetAsync("slow", Slow); // a reader without a limit (the start-up warmer) joins the same computation
        release.SetResult();

        Assert.Equal(42, (await warmer).Report);
        Assert.Equal(42, (await PageViewAsync()).Report);
        Assert.Equal(1, computed);
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        for (var i = 0; i < 250; i++)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the report was not refreshed within 5 s");
    }
}
