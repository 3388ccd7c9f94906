using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Analytics;
using Rapport.Dashboard;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>The report caches are filled as the server starts, before anyone opens a page.</summary>
public sealed class ReportWarmerTests
{
    [Fact]
    public async Task Start_ComputesEveryPageReport_FirstReadIsTheWarmOne()
    {
        await using var api = await ApiServer.StartAsync(configure: s => s.AddSingleton(new ReportWarming(AtStart: true)));
        var cache = api.App.Services.GetRequiredService<ReportCache>();
        var (from, through) = api.App.Services.GetRequiredService<RelationshipReports>().Queries.DefaultPeriod();
        string[] keys =
        [
            "snapshot", "health", "uplift", "journeys", "loyalty", "reciprocity", "channels", "return-windows:False:Month", "needs-overview", "consent-overview",
            "return-windows:True:Month", "clv:", $"funnel:{from.DayNumber}:{through.DayNumber}", // the behaviour page's, with its default parameters
        ];
        for (int i = 0; i < 600 && !keys.All(cache.Has); i++)
        {
            await Task.Delay(100);
        }

        Assert.All(keys, k => Assert.True(cache.Has(k), $"{k} was not computed at start"));
        var warm = await api.App.Services.GetRequiredService<RelationshipReports>().SnapshotAsync();
        // A page or API read now answers with that same computation.
        var overview = (await api.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/overview"))!;
        Assert.Equal(warm.Report.Overview.Customers, overview["customers"]!.GetValue<long>());
        Assert.Same(warm, await api.App.Services.GetRequiredService<RelationshipReports>().SnapshotAsync());
    }

    [Fact]
    public async Task TestsAndServersThatTurnItOff_ComputeOnFirstRead()
    {
        await using var api = await ApiServer.StartAsync();
        await Task.Delay(500);
        Assert.False(api.App.Services.GetRequiredService<ReportCache>().Has("snapshot"));
    }
}
