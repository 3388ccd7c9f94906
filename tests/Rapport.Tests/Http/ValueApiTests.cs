using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Tests.Value;
using Rapport.Core.Value;

namespace Rapport.Tests.Http;

/// <summary>Value, costs, Pareto, recomputation and CLV models over HTTP on a real loopback server.</summary>
public sealed class ValueApiTests
{
    [Fact]
    public async Task Value_UnknownCustomer_404ProblemSaysHowToFindOne()
    {
        await using var s = await StartAsync();

        var reply = await s.Admin.GetAsync("/v1/customers/424242/value");

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        Assert.Contains("/v1/customers?search=", (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Value_WriteKey_403()
    {
        await using var s = await StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.GetAsync("/v1/customers/1/value")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.PostAsync("/v1/models/clv/fit", null)).StatusCode);
    }

    [Theory, BothStores]
    public async Task OrderThroughTrack_ValueAndProfileShowIt_AndCostsComeOffTheMargin(StoreKind store)
    {
        await using var s = await StartAsync(store);
        await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann",
            @event = "Order Completed",
            timestamp = "2026-04-30T10:00:00Z",
            properties = new { order_id = "W-1", total = 45.5, discount = 4.5, products = new[] { new { product_id = "LAMP", price = 25, quantity = 2 } } },
        });
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();

        var created = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/costs", new { kind = "service", amount = 7.25, reference = "T-1", note = "call" });
        var retried = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/costs", new { kind = "service", amount = 7.25, reference = "T-1" });
        var value = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/value"))!;
        var profile = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}"))!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.True((await retried.Content.ReadFromJsonAsync<JsonObject>())!["duplicate"]!.GetValue<bool>());
        var v = value["value"]!;
        Assert.Equal(1, v["orders"]!.GetValue<int>());
        Assert.Equal(50m, v["revenue"]!.GetValue<decimal>()); // 45.50 paid + 4.50 discount
        Assert.Equal(4.5m, v["discounts"]!.GetValue<decimal>());
        Assert.Equal(7.25m, v["serviceCosts"]!.GetValue<decimal>());
        Assert.Equal(38.25m, v["margin"]!.GetValue<decimal>()); // no unit cost known for LAMP
        Assert.Equal(45.5m, v["averageOrderValue"]!.GetValue<decimal>());
        Assert.Null(value["prediction"]);
        Assert.Equal(38.25m, profile["value"]!["margin"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Costs_BadKindBadAmountUnknownCustomer_400And404()
    {
        await using var s = await StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "u1", traits = new { name = "Ann" } });
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=u1"))!["id"]!.GetValue<long>();

        var badKind = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/costs", new { kind = "bribe", amount = 1 });
        var zero = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/costs", new { kind = "reward", amount = 0 });
        var unknown = await s.Admin.PostAsJsonAsync("/v1/customers/999999/costs", new { kind = "reward", amount = 5 });

        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
        Assert.Contains("reward, gift, surprise, donation, service", await badKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
        Assert.Contains("non-zero", await zero.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task RecomputeAndPareto_TwentyCustomers_SummaryAndTopShares()
    {
        await using var s = await StartAsync();
        var start = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        await ValueTestData.InsertSalesAsync(Writer(s), Enumerable.Range(0, 20)
            .SelectMany(i => Enumerable.Range(0, i + 1).Select(k => new TestSale($"C{i:D2}", start.AddDays(i - k), 100m))).ToList());

        var recompute = await s.Admin.PostAsync("/v1/value/recompute", null);
        var summary = (await recompute.Content.ReadFromJsonAsync<JsonObject>())!;
        var pareto = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/pareto?points=5"))!;
        var badTop = await s.Admin.GetAsync("/v1/analytics/pareto?top=1.5");
        var badPoints = await s.Admin.GetAsync("/v1/analytics/pareto?points=1");

        Assert.Equal(HttpStatusCode.OK, recompute.StatusCode);
        Assert.Equal(20, summary["buyers"]!.GetValue<int>());
        Assert.Equal("platinum", summary["tiers"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(4, pareto["topCustomers"]!.GetValue<int>());
        Assert.Equal(74.0 / 210, pareto["revenue"]!["shareOfTop"]!.GetValue<double>(), 9);
        Assert.Equal(5, pareto["curve"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.BadRequest, badTop.StatusCode);
        Assert.Contains("0.2 for the top 20%", await badTop.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPoints.StatusCode);
    }

    [Fact]
    public async Task ClvFit_TooFewRepeatBuyers_409ProblemAndAFailedVersionListed()
    {
        await using var s = await StartAsync();
        var day = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await ValueTestData.InsertSalesAsync(Writer(s), [new("A", day, 10m), new("A", day.AddDays(3), 10m), new("B", day, 20m)]);

        var reply = await s.Admin.PostAsJsonAsync("/v1/models/clv/fit", new { model = "pareto-nbd" });
        var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        var models = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!;

        Assert.Equal(HttpStatusCode.Conflict, reply.StatusCode);
        Assert.Contains("bought again", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var failed = Assert.Single(models)!;
        Assert.Equal(problem["modelId"]!.GetValue<long>(), failed["id"]!.GetValue<long>());
        Assert.Equal(("failed", "pareto-nbd"), (failed["status"]!.GetValue<string>(), failed["kind"]!.GetValue<string>()));
        Assert.Null(failed["parameters"]);
    }

    [Fact]
    public async Task ClvFit_BadParameters_400WithoutAVersion()
    {
        await using var s = await StartAsync();

        var badModel = await s.Admin.PostAsJsonAsync("/v1/models/clv/fit", new { model = "gamma" });
        var badHorizon = await s.Admin.PostAsJsonAsync("/v1/models/clv/fit", new { horizonWeeks = 0 });
        var badMargin = await s.Admin.PostAsJsonAsync("/v1/models/clv/fit", new { margin = 1.5 });
        var badLimit = await s.Admin.GetAsync("/v1/models/clv?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, badModel.StatusCode);
        Assert.Contains("bgnbd or pareto-nbd", await badModel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badHorizon.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMargin.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!);
    }

    [Theory, BothStores]
    public async Task ClvFit_SimulatedCustomers_VersionListedAndEveryProfileHasItsPrediction(StoreKind store)
    {
        await using var s = await StartAsync(store);
        var ids = await ValueTestData.InsertSalesAsync(Writer(s), ValueTestData.Simulated(400));

        var reply = await s.Admin.PostAsync("/v1/models/clv/fit", null);
        var outcome = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        var models = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!;
        var profile = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ids.Values.First()}"))!;

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal(ids.Count, outcome["predictions"]!.GetValue<int>());
        var model = Assert.Single(models)!;
        Assert.True(model["current"]!.GetValue<bool>());
        Assert.Equal("bgnbd", model["kind"]!.GetValue<string>());
        Assert.True(model["logLikelihood"]!.GetValue<double>() < 0);
        Assert.Equal(7, model["parameters"]!.AsObject().Count);
        var prediction = profile["prediction"]!;
        Assert.Equal(model["id"]!.GetValue<long>(), prediction["modelId"]!.GetValue<long>());
        Assert.InRange(prediction["probabilityAlive"]!.GetValue<double>(), 0, 1);
        Assert.InRange(prediction["clvPercentile"]!.GetValue<double>(), 0, 1);
        Assert.True(prediction["expectedSpend"]!.GetValue<decimal>() > 0);
    }

    [Fact]
    public async Task Scheduler_ClockMovesOneRefitInterval_ANewModelVersion()
    {
        var options = new ValueOptions { RefitInterval = TimeSpan.FromHours(1), RecomputeInterval = TimeSpan.FromHours(1) };
        await using var s = await ApiServer.StartAsync(configure: services => services.AddSingleton(options));
        var schedule = s.App.Services.GetRequiredService<ValueSchedule>();
        await WaitForAsync(() => schedule.SleepingUntil is not null, "the scheduler to sleep");
        // Data arrives after the start-up pass (on a busy machine that pass can otherwise see it).
        await ValueTestData.InsertSalesAsync(Writer(s), ValueTestData.Simulated(400));
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!); // an empty store at start: nothing yet

        s.Clock.Advance(TimeSpan.FromHours(1));
        await WaitForAsync(async () => (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!.Count == 1, "a scheduled fit");
        await WaitForAsync(() => schedule.SleepingUntil is not null, "the scheduler to sleep again");
        s.Clock.Advance(TimeSpan.FromHours(1));
        await WaitForAsync(async () => (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!.Count == 2, "a second scheduled fit");

        var models = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/models/clv"))!;
        Assert.All(models, m => Assert.True(m!["status"]!.GetValue<string>() == "fitted", m["message"]?.GetValue<string>()));
        var recomputed = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/analytics/pareto"))!;
        Assert.True(recomputed["customers"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task OpenApi_DescribesTheValueEndpoints()
    {
        await using var s = await StartAsync();
        using var anonymous = s.Client(null);
        var doc = await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json");

        var paths = doc!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/customers/{id}/value", paths);
        Assert.Contains("/v1/customers/{id}/costs", paths);
        Assert.Contains("/v1/analytics/pareto", paths);
        Assert.Contains("/v1/value/recompute", paths);
        Assert.Contains("/v1/models/clv", paths);
        Assert.Contains("/v1/models/clv/fit", paths);
    }

    private static StoreWriter Writer(ApiServer s) => s.App.Services.GetRequiredService<StoreWriter>();

    /// <summary>
    /// A server whose value schedule has made its start-up pass and sleeps: a store that holds
    /// value rows but was never fitted gets a fit at once (ValueSchedule), so sales inserted
    /// before that pass would race it and leave a second model version beside the test's own.
    /// </summary>
    private static async Task<ApiServer> StartAsync(StoreKind store = StoreKind.Sqlite)
    {
        var s = await ApiServer.StartAsync(store);
        var schedule = s.App.Services.GetRequiredService<ValueSchedule>();
        await WaitForAsync(() => schedule.SleepingUntil is not null, "the value schedule's start-up pass");
        return s;
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
