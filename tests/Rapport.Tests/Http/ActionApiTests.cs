using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

public sealed class ActionApiTests
{
    private static async Task<long> CustomerAsync(ApiServer s, string user, object? traits = null)
    {
        var sent = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = user, traits = traits ?? new { firstName = "Ann" } });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }

    private static async Task<long> ActionAsync(ApiServer s, object action)
    {
        var created = await s.Admin.PostAsJsonAsync("/v1/actions", action);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    [Theory, BothStores]
    public async Task NextBestActions_RankedWithReasons_OutcomeLearned_ConsentRequired(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var ann = await CustomerAsync(s, "ann", new { firstName = "Ann", consent_marketing = true, consent_personalisation = true });
        var bob = await CustomerAsync(s, "bob", new { firstName = "Bob" }); // no consent recorded: everything denied by default
        var order = await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed",
            properties = new { order_id = "A1", total = 30, products = new[] { new { product_id = "LAMP-1", name = "Blue Lamp", price = 30, quantity = 1 } } },
        });
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);

        var voucher = await ActionAsync(s, new { name = "Lamp voucher", kind = "discount", purpose = "marketing", channels = new[] { "web", "email" }, placements = new[] { "home" }, value = 15, condition = "bought(last 30 days)", reason = "because you bought {last_bought}", content = new { code = "LAMP10" } });
        var guide = await ActionAsync(s, new { name = "Lamp care", kind = "content", purpose = "personalisation", channels = new[] { "web" }, placements = new[] { "home" }, value = 1 });

        var reply = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-best-actions?channel=web&placement=home&limit=3"))!;
        var actions = reply["actions"]!.AsArray();
        Assert.Equal([voucher, guide], actions.Select(a => a!["actionId"]!.GetValue<long>()));
        Assert.Equal("because you bought Blue Lamp", actions[0]!["reason"]!.GetValue<string>());
        Assert.Equal("Blue Lamp", actions[0]!["data"]!["facts"]!["last_bought"]!.GetValue<string>());
        Assert.Equal("LAMP10", actions[0]!["content"]!["code"]!.GetValue<string>());

        var decisionId = actions[0]!["decisionId"]!.GetValue<long>();
        var outcome = await s.Admin.PostAsJsonAsync($"/v1/customers/{ann}/actions/{decisionId}/outcome", new { outcome = "accepted" });
        Assert.Equal(HttpStatusCode.OK, outcome.StatusCode);
        var stats = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/actions/{voucher}"))!;
        Assert.Equal((1, 1), (stats["issued"]!.GetValue<long>(), stats["accepted"]!.GetValue<long>()));
        Assert.Equal(2.0 / 11, stats["propensity"]!.GetValue<double>(), 10);

        // Bob gave no consent: the default denies everything, so he gets nothing, and nothing is logged.
        var none = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{bob}/next-best-actions?channel=web&placement=home&explain=true"))!;
        Assert.Empty(none["actions"]!.AsArray());
        Assert.Contains(none["skipped"]!.AsArray(), x => x!["actionId"]!.GetValue<long>() == guide && x["reason"]!.GetValue<string>() == "no_consent");
        var log = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{ann}/decisions"))!;
        Assert.Equal(2, log.Count);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{bob}/decisions"))!);
    }

    [Fact]
    public async Task CreateAction_MalformedDefinitions_400WithEveryMistake()
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.PostAsJsonAsync("/v1/actions", new
        {
            name = "Bad", kind = "coupon", purpose = "spam", channels = new[] { "fax" },
            budget = new { total = -5 }, cap = new { max = 0, days = 7 }, segments = new[] { 42 }, condition = "value.revnue > 5",
        });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        var errors = problem["errors"]!.AsArray().ToDictionary(e => e!["path"]!.GetValue<string>(), e => e!["message"]!.GetValue<string>());
        Assert.Contains("not an action kind", errors["$.kind"], StringComparison.Ordinal);
        Assert.Contains("not a consent purpose", errors["$.purpose"], StringComparison.Ordinal);
        Assert.Contains("not a contact channel", errors["$.channels[0]"], StringComparison.Ordinal);
        Assert.Contains("at least 1", errors["$.budget.total"], StringComparison.Ordinal);
        Assert.Contains("would never let the action out", errors["$.cap.max"], StringComparison.Ordinal);
        Assert.Contains("no segment 42", errors["$.segments[0]"], StringComparison.Ordinal);
        Assert.Contains("did you mean 'value.revenue'", errors["$.condition"], StringComparison.Ordinal);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/actions"))!);
    }

    [Fact]
    public async Task NextBestActions_BadInput_UnknownChannelPlacementCustomer()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await CustomerAsync(s, "ann");
        await ActionAsync(s, new { name = "Chat", kind = "service", purpose = "personalisation", channels = new[] { "web" }, placements = new[] { "account" } });

        var channel = await s.Admin.GetAsync($"/v1/customers/{ann}/next-best-actions?channel=telegram");
        Assert.Equal(HttpStatusCode.BadRequest, channel.StatusCode);
        Assert.Contains("not a contact channel", (await channel.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var placement = await s.Admin.GetAsync($"/v1/customers/{ann}/next-best-actions?channel=web&placement=homepage");
        Assert.Equal(HttpStatusCode.BadRequest, placement.StatusCode);
        Assert.Contains("known placements: account", (await placement.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.GetAsync("/v1/customers/999/next-best-actions?channel=web")).StatusCode);
        var outcome = await s.Admin.PostAsJsonAsync($"/v1/customers/{ann}/actions/1/outcome", new { outcome = "loved" });
        Assert.Equal(HttpStatusCode.BadRequest, outcome.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Admin.PostAsJsonAsync($"/v1/customers/{ann}/actions/12345/outcome", new { outcome = "accepted" })).StatusCode);
    }

    [Fact]
    public async Task NextBestActions_BudgetExhausted_AndPutReplacesDefinition()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await CustomerAsync(s, "ann", new { consent_marketing = true });
        var bob = await CustomerAsync(s, "bob", new { consent_marketing = true });
        var gift = await ActionAsync(s, new { name = "Gift", kind = "reward", purpose = "marketing", channels = new[] { "email" }, budget = new { total = 1 } });

        Assert.Single((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-best-actions?channel=email"))!["actions"]!.AsArray());
        var spent = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{bob}/next-best-actions?channel=email&explain=true"))!;
        Assert.Empty(spent["actions"]!.AsArray());
        Assert.Equal("budget_exhausted", spent["skipped"]![0]!["reason"]!.GetValue<string>());

        var put = await s.Admin.PutAsJsonAsync($"/v1/actions/{gift}", new { name = "Gift", kind = "reward", purpose = "marketing", channels = new[] { "email" }, budget = new { total = 2 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Single((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{bob}/next-best-actions?channel=email"))!["actions"]!.AsArray());
    }
}
