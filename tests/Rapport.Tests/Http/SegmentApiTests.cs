using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

public sealed class SegmentApiTests
{
    [Theory, BothStores]
    public async Task Segments_TrackedOrdersThroughApi_MemberCountTimelineAndLeaveByClock(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var created = await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Repeat buyers", text = "count(track \"Order Completed\", last 90 days) at least 2 times" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var segment = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = segment["id"]!.GetValue<long>();
        Assert.Equal($"/v1/segments/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("count(track \"Order Completed\", last 90 days) >= 2", segment["text"]!.GetValue<string>());
        Assert.Equal("active", segment["status"]!.GetValue<string>());

        foreach (var order in new[] { "A1", "A2" })
        {
            var sent = await s.Writer.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = order, total = 20 } });
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var ann = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();
        Assert.Equal(1, (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}/count"))!["count"]!.GetValue<long>());
        var members = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}/members");
        Assert.Equal(ann, members!["items"]![0]!["customerId"]!.GetValue<long>());
        var mine = await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{ann}/segments");
        Assert.Equal("Repeat buyers", mine!.Single()!["name"]!.GetValue<string>());
        var timeline = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?name=Segment%20Entered");
        Assert.Equal(id, timeline!["items"]![0]!["properties"]!["segment_id"]!.GetValue<long>());

        // The sweeper runs every minute of the (fake) clock; 92 days later the orders are out of the window.
        s.Clock.Advance(TimeSpan.FromDays(92));
        await Eventually(async () => (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}/count"))!["count"]!.GetValue<long>() == 0);
        var left = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?name=Segment%20Left");
        Assert.Equal("time", left!["items"]![0]!["properties"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_JsonDefinition_SavedWithCanonicalText()
    {
        await using var s = await ApiServer.StartAsync();
        var definition = JsonNode.Parse("""{"and":[{"field":"prediction.p_alive","op":"<","value":0.3},{"field":"prediction.clv_percentile","op":">=","value":0.8}]}""");

        var created = await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "At risk", definition });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8", body["text"]!.GetValue<string>());
        Assert.Equal("done", body["recompute"]!["state"]!.GetValue<string>());
        var listed = await s.Admin.GetFromJsonAsync<JsonArray>("/v1/segments");
        Assert.Equal("At risk", listed!.Single()!["name"]!.GetValue<string>());
        Assert.Equal(0, listed!.Single()!["members"]!.GetValue<long>());
    }

    [Fact]
    public async Task Create_BadText_400WithLineColumnAndReason()
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.PostAsJsonAsync("/v1/segments", new { name = "Bad", text = "viewed(category = \"Lamps\", last 0 days)" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        var error = problem["errors"]!.AsArray().Single()!;
        Assert.Equal("line 1, column 33", error["position"]!.GetValue<string>());
        Assert.Equal(33, error["column"]!.GetValue<int>());
        Assert.Contains("at least 1 day", error["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("line 1, column 33", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/segments"))!);
    }

    [Fact]
    public async Task Create_BadJsonDefinition_400WithPathsOfEveryMistake()
    {
        await using var s = await ApiServer.StartAsync();
        var definition = JsonNode.Parse("""{"or":[{"field":"value.revnue","op":">","value":1},{"field":"value.orders","op":">=","value":"two"}]}""");

        var reply = await s.Admin.PostAsJsonAsync("/v1/segments", new { name = "Bad", definition });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var errors = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray();
        Assert.Equal(["$.definition.or[0].field", "$.definition.or[1].value"], errors.Select(e => e!["path"]!.GetValue<string>()));
        Assert.Contains("did you mean 'value.revenue'", errors[0]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("is a number", errors[1]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x"}""", "$", "either")]
    [InlineData("""{"name":"x","text":"bought(last 7 days)","definition":{"field":"value.orders","op":">","value":1}}""", "$", "not both")]
    [InlineData("""{"text":"bought(last 7 days)"}""", "$.name", "needs a name")]
    public async Task Create_MissingPieces_400SaysWhat(string body, string position, string reason)
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.PostAsync("/v1/segments", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var error = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray().Single()!;
        Assert.Equal(position, error["position"]!.GetValue<string>());
        Assert.Contains(reason, error["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_SameNameTwice_409()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Buyers", text = "bought(last 30 days)" });

        var again = await s.Admin.PostAsJsonAsync("/v1/segments", new { name = "Buyers", text = "bought(last 7 days)" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Preview_LampBrowsers_CountAndSampleWithoutSaving()
    {
        await using var s = await ApiServer.StartAsync();
        foreach (var (user, category) in new[] { ("ann", "Lamps"), ("bob", "Lamps"), ("cat", "Chairs") })
        {
            await s.Writer.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Product Viewed", properties = new { product_id = category + "1", category } });
        }

        await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "bob", @event = "Order Completed",
            properties = new { order_id = "B1", total = 80, products = new[] { new { product_id = "Lamps1", category = "Lamps", price = 80, quantity = 1 } } },
        });
        var ann = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();

        var reply = await s.Admin.PostAsJsonAsync("/v1/segments/preview", new { text = "viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)", sample = 5 });

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var preview = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(1, preview["count"]!.GetValue<long>());
        Assert.Equal(3, preview["customers"]!.GetValue<long>());
        Assert.Equal([ann], preview["sample"]!.AsArray().Select(x => x!.GetValue<long>()));
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/segments"))!);
        var bad = await s.Admin.PostAsJsonAsync("/v1/segments/preview", new { text = "viewed(last 7 days) and" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Members_PagedByCursor_AllOnceInOrder()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/batch", new
        {
            batch = Enumerable.Range(0, 5).Select(i => new { type = "identify", userId = $"u{i}", traits = new { plan = "pro" } }).ToArray(),
        });
        var created = await (await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Pro", text = "traits.plan = \"pro\"" })).Content.ReadFromJsonAsync<JsonObject>();
        var id = created!["id"]!.GetValue<long>();
        Assert.Equal(5, created["members"]!.GetValue<long>());

        var first = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}/members?limit=3");
        var second = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}/members?limit=3&cursor={first!["nextCursor"]!.GetValue<string>()}");

        var ids = first["items"]!.AsArray().Concat(second!["items"]!.AsArray()).Select(m => m!["customerId"]!.GetValue<long>()).ToList();
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        Assert.Null(second["nextCursor"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await s.Admin.GetAsync($"/v1/segments/{id}/members?cursor=abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await s.Admin.GetAsync($"/v1/segments/{id}/members?limit=0")).StatusCode);
    }

    [Fact]
    public async Task Recompute_AcceptedWithProgressAndWaitGivesResult()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "u1", traits = new { plan = "pro" } });
        var id = (await (await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Pro", text = "traits.plan exists" })).Content.ReadFromJsonAsync<JsonObject>())!["id"];

        var accepted = await s.Admin.PostAsync($"/v1/segments/{id}/recompute", null);
        var waited = await s.Admin.PostAsync($"/v1/segments/{id}/recompute?wait=true", null);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.NotNull((await accepted.Content.ReadFromJsonAsync<JsonObject>())!["state"]);
        Assert.Equal(HttpStatusCode.OK, waited.StatusCode);
        var status = (await waited.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("done", 1, 0, 0), (status["state"]!.GetValue<string>(), status["customers"]!.GetValue<int>(), status["entered"]!.GetValue<int>(), status["left"]!.GetValue<int>()));
        var detail = await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/segments/{id}");
        Assert.Equal("done", detail!["recompute"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_Segment_204ThenEverythingIs404()
    {
        await using var s = await ApiServer.StartAsync();
        var id = (await (await s.Admin.PostAsJsonAsync("/v1/segments?wait=true", new { name = "Pro", text = "traits.plan exists" })).Content.ReadFromJsonAsync<JsonObject>())!["id"];

        Assert.Equal(HttpStatusCode.NoContent, (await s.Admin.DeleteAsync($"/v1/segments/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.DeleteAsync($"/v1/segments/{id}")).StatusCode);
        foreach (var path in new[] { "", "/count", "/members" })
        {
            var reply = await s.Admin.GetAsync($"/v1/segments/{id}{path}");
            Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
            Assert.Contains("GET /v1/segments lists them", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.PostAsync($"/v1/segments/{id}/recompute", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.GetAsync("/v1/customers/4242/segments")).StatusCode);
    }

    [Fact]
    public async Task Segments_WriteKey_403()
    {
        await using var s = await ApiServer.StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.GetAsync("/v1/segments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.PostAsJsonAsync("/v1/segments", new { name = "x", text = "bought(last 7 days)" })).StatusCode);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "The condition did not become true within 20 s.");
            await Task.Delay(50);
        }
    }
}
