using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

public sealed class CustomerApiTests
{
    [Fact]
    public async Task Customer_UnknownId_404ProblemWithHowToFind()
    {
        await using var s = await ApiServer.StartAsync();
        var reply = await s.Admin.GetAsync("/v1/customers/424242");

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Contains("search", (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_UnknownChannel_400()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "u1", traits = new { name = "Ann" } });
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=u1"))!["id"];

        var reply = await s.Admin.GetAsync($"/v1/customers/{id}/timeline?channel=fax");

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("web, app, store, phone, email, chat", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Merge_UndoThroughApi_SplitsAndSecondUndoIs409()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/identify", new { anonymousId = "laptop", traits = new { email = "z@example.com" } });
        await s.Writer.PostAsJsonAsync("/v1/page", new { anonymousId = "phone", name = "Home" });
        await s.Writer.PostAsJsonAsync("/v1/identify", new { anonymousId = "phone", traits = new { email = "z@example.com" } });
        var id = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=email&value=z@example.com"))!["id"];
        var merge = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{id}/merges"))!.Single()!;

        var undo = await s.Admin.PostAsync($"/v1/merges/{merge["id"]}/undo", null);
        var again = await s.Admin.PostAsync($"/v1/merges/{merge["id"]}/undo", null);

        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var phone = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=anonymous_id&value=phone"))!["id"];
        Assert.NotEqual(id!.GetValue<long>(), phone!.GetValue<long>());
    }

    [Fact]
    public async Task Search_WithoutText_400AndWithText_Finds()
    {
        await using var s = await ApiServer.StartAsync();
        await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "u1", traits = new { name = "Ada Lovelace", email = "ada@example.com" } });

        Assert.Equal(HttpStatusCode.BadRequest, (await s.Admin.GetAsync("/v1/customers?search=")).StatusCode);
        var hits = await s.Admin.GetFromJsonAsync<JsonArray>("/v1/customers?search=lovelace");
        Assert.Equal("ada@example.com", hits!.Single()!["email"]!.GetValue<string>());
        // Word starts by default (the index); the middle of a word only when asked.
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/customers?search=velace"))!);
        Assert.Single((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/customers?search=velace&match=anywhere"))!);
        using var bad = await s.Admin.GetAsync("/v1/customers?search=ada&match=fuzzy");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("use prefix", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesTheCollectAndCustomerEndpoints()
    {
        await using var s = await ApiServer.StartAsync();
        using var anonymous = s.Client(null);
        var doc = await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json");

        var paths = doc!["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/batch", paths);
        Assert.Contains("/v1/customers/{id}/timeline", paths);
    }
}
