using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Preferences;

namespace Rapport.Tests.Http;

/// <summary>Carrying out an erasure request through the real HTTP host.</summary>
public sealed class ErasureApiTests : IAsyncLifetime
{
    private ApiServer _api = null!;

    public async Task InitializeAsync() => _api = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Execute_ForgetsTheCustomer_KeepsTheOrder_AndTheSameEmailLaterIsANewCustomer()
    {
        (await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com", name = "Ann Example" } })).EnsureSuccessStatusCode();
        (await _api.Writer.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "o-1", total = 30, currency = "GBP", note = "leave with Ann's neighbour" } })).EnsureSuccessStatusCode();
        var ann = await LookupAsync("user_id", "ann") ?? throw new InvalidOperationException("ann is not stored");
        var link = await (await _api.Admin.PostAsync($"/v1/customers/{ann}/preference-link", null)).Content.ReadFromJsonAsync<JsonObject>();
        var request = (await _api.App.Services.GetRequiredService<ErasureRequests>().RequestAsync(ann, "preference-centre", "web"))!;

        using var reply = await _api.Admin.PostAsync($"/v1/erasure-requests/{request.Id}/execute", null);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var result = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("completed", result["request"]!["status"]!.GetValue<string>());
        Assert.False(result["alreadyDone"]!.GetValue<bool>());
        Assert.True(result["rows"]!["identifiers"]!.GetValue<long>() >= 2);

        Assert.Null(await LookupAsync("email", "ann@example.com"));
        Assert.Null(await LookupAsync("user_id", "ann"));
        var profile = await _api.Admin.GetStringAsync($"/v1/customers/{ann}");
        Assert.DoesNotContain("ann@example.com", profile, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Ann Example", profile, StringComparison.Ordinal);
        var timeline = await _api.Admin.GetStringAsync($"/v1/customers/{ann}/timeline?limit=50");
        Assert.DoesNotContain("neighbour", timeline, StringComparison.Ordinal);
        Assert.Contains("o-1", timeline, StringComparison.Ordinal); // the order's facts stay
        Assert.Equal("completed", (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/erasure-requests/{request.Id}"))!["status"]!.GetValue<string>());

        // Their old preference link leads nowhere, and their download is gone.
        using var page = await _api.Client(null).GetAsync(new Uri(link!["url"]!.GetValue<string>()).AbsolutePath + "/export");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);

        // Again: nothing more to do.
        using var again = await _api.Admin.PostAsync($"/v1/erasure-requests/{request.Id}/execute", null);
        Assert.True((await again.Content.ReadFromJsonAsync<JsonObject>())!["alreadyDone"]!.GetValue<bool>());

        (await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com" } })).EnsureSuccessStatusCode();
        var stranger = await LookupAsync("email", "ann@example.com");
        Assert.NotNull(stranger);
        Assert.NotEqual(ann, stranger);
    }

    [Theory]
    [InlineData("abc", HttpStatusCode.BadRequest, "not an erasure request id")]
    [InlineData("0", HttpStatusCode.BadRequest, "not an erasure request id")]
    [InlineData("424242", HttpStatusCode.NotFound, "no erasure request 424242")]
    public async Task Execute_BadOrUnknownId_ProblemSaysWhatToDo(string id, HttpStatusCode status, string says)
    {
        using var reply = await _api.Admin.PostAsync($"/v1/erasure-requests/{id}/execute", null);
        Assert.Equal(status, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_NeedsAnAdminKey()
    {
        using var reply = await _api.Writer.PostAsync("/v1/erasure-requests/1/execute", null);
        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
    }

    private async Task<long?> LookupAsync(string kind, string value)
    {
        using var reply = await _api.Admin.GetAsync($"/v1/customers/lookup?kind={kind}&value={Uri.EscapeDataString(value)}");
        return reply.StatusCode == HttpStatusCode.NotFound ? null : (await reply.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }
}
