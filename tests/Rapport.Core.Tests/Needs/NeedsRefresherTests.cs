using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Needs;

/// <summary>Ingestion marks customers; the refresher recomputes them afterwards, on both stores.</summary>
public sealed class NeedsRefresherTests
{
    [Theory, BothStores]
    public async Task Ingest_MarksTheCustomer_NeedsAppearOnlyAfterTheRefresh(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendOnlyAsync(h.View("v1", -1, "L1", "Lamps"), h.View("v2", -1, "L2", "Lamps"));
        await h.SendOnlyAsync(h.View("v3", -1, "C1", "Chairs"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        // The ingest transaction wrote no needs, only the mark (once per customer, however many batches).
        Assert.Empty((await h.Needs.GetAsync(ann)).Affinity);
        Assert.Equal([ann], await PendingAsync(h));

        Assert.Equal(1, await h.NeedsRefresher.DrainAsync());

        var affinity = (await h.Needs.GetAsync(ann)).Affinity;
        Assert.Equal(2.0 / 3, affinity.Single(a => a.Category == "Lamps").ViewShare!.Value, 6);
        Assert.Equal(1.0 / 3, affinity.Single(a => a.Category == "Chairs").ViewShare!.Value, 6);
        Assert.Empty(await PendingAsync(h));
        Assert.Equal(0, await h.NeedsRefresher.DrainAsync());
    }

    [Theory, BothStores]
    public async Task EventArrivesWhileComputing_StaleResultDropped_CustomerRefreshedAgain(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendOnlyAsync(h.View("v1", -1, "L1", "Lamps"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");
        var raced = false;
        h.NeedsRefresher.AfterCompute = async () =>
        {
            if (!raced)
            {
                raced = true;
                await h.SendOnlyAsync(h.View("v2", -1, "C1", "Chairs")); // after the read, before the write
            }
        };

        await h.NeedsRefresher.DrainAsync();

        // The first computation (Lamps only) was not written; the second pass read both views.
        var affinity = (await h.Needs.GetAsync(ann)).Affinity;
        Assert.True(raced);
        Assert.Equal(0.5, affinity.Single(a => a.Category == "Lamps").ViewShare!.Value, 6);
        Assert.Equal(0.5, affinity.Single(a => a.Category == "Chairs").ViewShare!.Value, 6);
        Assert.Empty(await PendingAsync(h));
    }

    [Theory, BothStores]
    public async Task IngestDuringRefreshes_EndsWithNeedsFromEveryEvent(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        using var stop = new CancellationTokenSource();
        var refreshing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await h.NeedsRefresher.DrainAsync();
                await Task.Yield();
            }
        });

        // Batches for the same few customers race the refresher's reads and writes.
        for (var i = 0; i < 60; i++)
        {
            var user = "u" + (i % 4);
            await h.SendOnlyAsync(
                h.View($"v{i}", -1, "P" + i, i % 3 == 0 ? "Lamps" : "Chairs", user: user),
                h.Order($"o{i}", -1, user, i % 2 == 0 ? Channels.Web : Channels.Store, [("P" + i, i % 5 == 0 ? "Tables" : "Lamps", 10m + i, 1)]));
        }

        await stop.CancelAsync();
        await refreshing;
        await h.NeedsRefresher.DrainAsync();

        // A full recomputation from the history finds nothing to change: no stale result was kept.
        var summary = await h.NeedsRecompute.TryRunAsync(new NeedsRecomputeRequest(Refit: false));
        Assert.Equal(4, summary!.WithNeeds);
        Assert.Equal(0, summary.Changed);
        Assert.Empty(await PendingAsync(h));
    }

    private static async Task<List<long>> PendingAsync(CoreHarness h)
    {
        await using var c = await h.Db.OpenAsync();
        return (await c.QueryAsync<long>("SELECT customer_id FROM needs_pending ORDER BY customer_id")).ToList();
    }
}
