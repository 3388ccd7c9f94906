using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>Journey enrolments and tasks follow identity merges, and account managers close tasks, through the real HTTP host.</summary>
public sealed class JourneyMergeApiTests : IAsyncLifetime
{
    private const string Journey = """
        {"name": "Cart call", "trigger": {"event": "Checkout Started"}, "controlGroup": 0,
         "steps": [{"id": "call", "type": "task", "title": "Call about the cart"}, {"id": "wait", "type": "wait", "duration": "1h"}]}
        """;

    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Merge_LeavesOneActiveEnrolment_OnTheSurvivor_TasksFollow_AndATaskCloses()
    {
        using var created = await _api.Admin.PostAsync("/v1/journeys?status=active", new StringContent(Journey, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var journey = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        // Two people as far as Rapport knows: a signed-in Ann and an anonymous visitor, both start a checkout.
        await SendAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com" } });
        await SendAsync("/v1/track", new { userId = "ann", @event = "Checkout Started" });
        await SendAsync("/v1/track", new { anonymousId = "visitor-1", @event = "Checkout Started" });
        var ann = await LookupAsync("user_id", "ann");
        var visitor = await LookupAsync("anonymous_id", "visitor-1");
        Assert.NotEqual(ann, visitor);
        await RunAsync();
        Assert.Equal(2, (await ActiveAsync(journey)).Count);
        Assert.Equal(2, (await OpenTasksAsync()).Count);

        // The visitor signs in: the same person. One active enrolment remains, on the survivor.
        await SendAsync("/v1/identify", new { userId = "ann", anonymousId = "visitor-1" });
        var survivor = await LookupAsync("user_id", "ann");
        Assert.Equal(survivor, await LookupAsync("anonymous_id", "visitor-1"));
        var absorbed = survivor == ann ? visitor : ann;
        var active = Assert.Single(await ActiveAsync(journey));
        Assert.Equal(survivor, active!["customerId"]!.GetValue<long>());
        var all = (await _api.Admin.GetFromJsonAsync<JsonArray>($"/v1/journeys/{journey}/enrolments"))!;
        var ended = Assert.Single(all, e => e!["status"]!.GetValue<string>() == "completed")!;
        Assert.Equal($"merged into customer {survivor}", ended["exitReason"]!.GetValue<string>());
        var left = Assert.Single((await _api.Admin.GetFromJsonAsync<JsonArray>($"/v1/journeys/{journey}/enrolments?customer={absorbed}"))!);
        Assert.Equal(ended["id"]!.GetValue<long>(), left!["id"]!.GetValue<long>()); // the duplicate ended and stays with the merged-away id as history
        var tasks = await OpenTasksAsync();
        Assert.All(tasks, t => Assert.Equal(survivor, t!["customerId"]!.GetValue<long>()));

        // The account manager closes one task; closing it again changes nothing.
        var task = tasks[0]!["id"]!.GetValue<long>();
        using var close = await _api.Admin.PostAsJsonAsync($"/v1/journeys/tasks/{task}/close", new { note = "Called, they bought in store", by = "sam" });
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        var closed = (await close.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("done", "sam", "Called, they bought in store", false),
            (closed["status"]!.GetValue<string>(), closed["closedBy"]!.GetValue<string>(), closed["note"]!.GetValue<string>(), closed["alreadyClosed"]!.GetValue<bool>()));
        Assert.DoesNotContain(await OpenTasksAsync(), t => t!["id"]!.GetValue<long>() == task);
        using var again = await _api.Admin.PostAsync($"/v1/journeys/tasks/{task}/close", null);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonObject>())!["alreadyClosed"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("abc", null, HttpStatusCode.BadRequest, "not a task id")]
    [InlineData("987654", null, HttpStatusCode.NotFound, "no journey task 987654")]
    [InlineData("1", """{"note": 5}""", HttpStatusCode.BadRequest, "note is text")]
    [InlineData("1", "{not json", HttpStatusCode.BadRequest, "not JSON")]
    public async Task CloseTask_BadInput_ProblemSaysWhatToDo(string id, string? body, HttpStatusCode status, string says)
    {
        using var content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var reply = await _api.Admin.PostAsync($"/v1/journeys/tasks/{id}/close", content);
        Assert.Equal(status, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task SendAsync(string path, object body) => (await _api.Writer.PostAsJsonAsync(path, body)).EnsureSuccessStatusCode();

    private async Task RunAsync() => (await _api.Admin.PostAsync("/v1/journeys/run", null)).EnsureSuccessStatusCode();

    private async Task<List<JsonNode?>> ActiveAsync(long journey) =>
        (await _api.Admin.GetFromJsonAsync<JsonArray>($"/v1/journeys/{journey}/enrolments?status=active"))!.ToList();

    private async Task<List<JsonNode?>> OpenTasksAsync() =>
        (await _api.Admin.GetFromJsonAsync<JsonArray>("/v1/journeys/tasks?status=open"))!.ToList();

    private async Task<long> LookupAsync(string kind, string value) =>
        (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind={kind}&value={value}"))!["id"]!.GetValue<long>();
}
