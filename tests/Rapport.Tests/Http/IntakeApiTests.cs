using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.Core.Events.Intake;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Http;

/// <summary>Collection with Rapport:Ingest:Acknowledge=committed over real HTTP, and the backlog in /health.</summary>
public sealed class IntakeApiTests
{
    private const string TwoEvents = """
        {"batch":[
          {"type":"identify","userId":"kim","anonymousId":"k1","traits":{"email":"kim@example.com"},"messageId":"c-1"},
          {"type":"track","anonymousId":"k1","event":"Product Viewed","properties":{"product_id":"P7","price":4},"messageId":"c-2"}
        ]}
        """;

    [Fact]
    public async Task HealthLive_NeedsNoKey_AndAnswersWhileTheStoreIsLocked()
    {
        // /health reads the intake's backlog; /health/live reads nothing (a liveness probe, and
        // the trivial baseline of the load runs). With the backlog's table locked, only it answers.
        await using var s = await ApiServer.StartAsync(StoreKind.Postgres);
        using var anonymous = new HttpClient { BaseAddress = s.Address, Timeout = TimeSpan.FromSeconds(60) };
        await using var c = await s.Db.OpenAsync();
        await using var hold = await c.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(c, "LOCK TABLE event_intake IN ACCESS EXCLUSIVE MODE", transaction: hold);

        var health = anonymous.GetAsync("/health");
        using var live = await anonymous.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("{\"status\":\"ok\"}", await live.Content.ReadAsStringAsync());
        Assert.False(health.IsCompleted); // waits for the lock
        await hold.RollbackAsync();
        using var healthReply = await health;
        Assert.Equal(HttpStatusCode.OK, healthReply.StatusCode);
    }

    [Theory, BothStores]
    public async Task Committed_RepliesBeforeProjection_EventsOnTheProfileOnceTheProjectorRan(StoreKind store)
    {
        // The projector is stopped so "before projection" is certain, then driven by hand.
        await using var s = await ApiServer.StartAsync(store, Committed(projectorRuns: false));
        s.Clock.Advance(TimeSpan.FromSeconds(30));

        var reply = await s.Writer.PostAsync("/v1/batch", Json(TwoEvents));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.True((await reply.Content.ReadFromJsonAsync<JsonObject>())!["success"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.GetAsync("/v1/customers/lookup?kind=user_id&value=kim")).StatusCode);
        s.Clock.Advance(TimeSpan.FromSeconds(4));
        var ingest = (await s.Admin.GetFromJsonAsync<JsonObject>("/health"))!["ingest"]!;
        Assert.Equal(("committed", 1L, 2L, 4.0), (ingest["acknowledge"]!.GetValue<string>(), ingest["backlogRequests"]!.GetValue<long>(),
            ingest["backlogEvents"]!.GetValue<long>(), ingest["oldestAgeSeconds"]!.GetValue<double>()));

        await s.App.Services.GetRequiredService<IntakeProjector>().ProjectAllAsync();

        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=email&value=kim@example.com");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        Assert.Equal([null, "Product Viewed"], timeline!["items"]!.AsArray().Select(i => i!["name"]?.GetValue<string>()).Order());
        ingest = (await s.Admin.GetFromJsonAsync<JsonObject>("/health"))!["ingest"]!;
        Assert.Equal((0L, 0L), (ingest["backlogEvents"]!.GetValue<long>(), ingest["failedRequests"]!.GetValue<long>()));
        Assert.Null(ingest["oldestAgeSeconds"]);
    }

    [Theory, BothStores]
    public async Task Committed_TheProjectorService_ProjectsWithoutBeingAsked(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store, Committed(projectorRuns: true));

        Assert.Equal(HttpStatusCode.OK, (await s.Writer.PostAsync("/v1/batch", Json(TwoEvents))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "kim", @event = "Cart Viewed", messageId = "c-3" })).StatusCode);

        var health = await Eventually.GetAsync(s.Admin, "/health", h => h["ingest"]!["backlogRequests"]!.GetValue<long>() == 0);
        Assert.Equal(0L, health["ingest"]!["backlogRequests"]!.GetValue<long>());
        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=kim");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        Assert.Equal(3, timeline!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Committed_RetriedBeforeAndAfterProjection_StoredOnce()
    {
        await using var s = await ApiServer.StartAsync(StoreKind.Sqlite, Committed(projectorRuns: false));
        var projector = s.App.Services.GetRequiredService<IntakeProjector>();

        await s.Writer.PostAsync("/v1/batch", Json(TwoEvents));
        await s.Writer.PostAsync("/v1/batch", Json(TwoEvents));
        await projector.ProjectAllAsync();
        await s.Writer.PostAsync("/v1/batch", Json(TwoEvents));
        await projector.ProjectAllAsync();

        var customer = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=kim");
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer!["id"]}/timeline");
        Assert.Equal(2, timeline!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Committed_BadInput_SameProblemsAsBefore_NothingEntersTheIntake()
    {
        await using var s = await ApiServer.StartAsync(StoreKind.Sqlite, Committed(projectorRuns: false));
        var badBatch = await s.Writer.PostAsync("/v1/batch", Json("""
            {"batch":[{"type":"track","userId":"u1","event":"Signed Up","messageId":"ok-1"},{"type":"track","event":"No Id","messageId":"bad-1"}]}
            """));
        var malformed = await s.Writer.PostAsync("/v1/track", Json("{\"userId\": \"u1\",\n \"event\": }"));
        var tooBig = await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "u", @event = "Big", properties = new { blob = new string('x', 33 * 1024) } });
        var unknownConsent = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "u1", traits = new { consent_telepathy = true } });
        using var anonymous = s.Client(null);
        var noKey = await anonymous.PostAsync("/v1/batch", Json(TwoEvents));

        Assert.Equal(HttpStatusCode.BadRequest, badBatch.StatusCode);
        Assert.Equal("application/problem+json", badBatch.Content.Headers.ContentType!.MediaType);
        Assert.Equal("$.batch[1]", (await badBatch.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Contains("line 2", (await malformed.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownConsent.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(IntakeBacklog.Empty, await s.App.Services.GetRequiredService<EventIntake>().BacklogAsync());
    }

    [Fact]
    public async Task Projected_TheDefault_RepliesAfterProjectionAndNeverUsesTheIntake()
    {
        await using var s = await ApiServer.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await s.Writer.PostAsync("/v1/batch", Json(TwoEvents))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await s.Admin.GetAsync("/v1/customers/lookup?kind=user_id&value=kim")).StatusCode);
        var ingest = (await s.Admin.GetFromJsonAsync<JsonObject>("/health"))!["ingest"]!;
        Assert.Equal(("projected", 0L), (ingest["acknowledge"]!.GetValue<string>(), ingest["backlogRequests"]!.GetValue<long>()));
    }

    private static Action<IServiceCollection> Committed(bool projectorRuns) =>
        services => services.AddSingleton(new IngestSettings(IngestAcknowledge.Committed, projectorRuns));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
