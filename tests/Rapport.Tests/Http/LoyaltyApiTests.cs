using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Http;

/// <summary>Loyalty over HTTP on a real loopback server: programme, earning from orders, redemption, bad input, concurrency, the nightly job.</summary>
public sealed class LoyaltyApiTests
{
    private static readonly object Program = new
    {
        pointsPerUnit = 1,
        pointValue = 0.01,
        expiryDays = 30,
        tiers = new object[] { new { name = "member", threshold = 0, multiplier = 1 }, new { name = "gold", threshold = 1000, multiplier = 2 } },
        redemption = new { min = 10, max = 0, perDay = 0 },
    };

    [Theory, BothStores]
    public async Task ParallelRedemptions_SameMoment_NeverOverspend(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var id = await CustomerWithOrderAsync(s, "ann", 100m);

        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/redeem", new { points = 30, idempotencyKey = $"k{i}" })));

        Assert.Equal(3, replies.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(7, replies.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var account = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/loyalty"))!;
        Assert.Equal(10, account["balance"]!.GetValue<long>());
    }

    [Fact]
    public async Task Redeem_BadInput_ProblemsSayWhatIsWrong()
    {
        await using var s = await ApiServer.StartAsync();
        var id = await CustomerWithOrderAsync(s, "ann", 100m);

        var tooMuch = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/redeem", new { points = 150 });
        var noPoints = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/redeem", new { note = "?" });
        var both = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/earn", new { points = 5, @event = "Review Submitted" });
        var nobody = await s.Admin.PostAsJsonAsync("/v1/customers/424242/loyalty/redeem", new { points = 10 });
        var badProgram = await s.Admin.PutAsJsonAsync("/v1/loyalty/program", new { pointValue = 0, tiers = new[] { new { name = "gold", threshold = 5, multiplier = 1 } } });

        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        var problem = (await tooMuch.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("application/problem+json", tooMuch.Content.Headers.ContentType!.MediaType);
        Assert.Contains("the balance is 100 points", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100, problem["balance"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.BadRequest, noPoints.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badProgram.StatusCode);
        var programProblem = (await badProgram.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        Assert.Contains("threshold 0", programProblem, StringComparison.Ordinal);
        Assert.Contains("pointValue", programProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeem_AfterExpiry_409SaysWhenThePointsExpired()
    {
        await using var s = await ApiServer.StartAsync();
        var id = await CustomerWithOrderAsync(s, "ann", 100m);
        s.Clock.Advance(TimeSpan.FromDays(31));

        var reply = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/redeem", new { points = 50 });

        Assert.Equal(HttpStatusCode.Conflict, reply.StatusCode);
        var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("Points expired on 2026-05-30", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, problem["balance"]!.GetValue<long>());
    }

    [Theory, BothStores]
    public async Task Programme_OrderRewardsLedgerAndReciprocity_EndToEnd(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var id = await CustomerWithOrderAsync(s, "ann", 1200m);
        var reward = await s.Admin.PostAsJsonAsync("/v1/loyalty/rewards", new { name = "Free delivery", points = 200, value = 4.95 });
        var rewardId = (await reward.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var badReward = await s.Admin.PostAsJsonAsync("/v1/loyalty/rewards", new { name = "", points = 0 });

        var earned = await s.Admin.PostAsJsonAsync($"/v1/customers/{id}/loyalty/earn", new { @event = "Review Submitted", idempotencyKey = "rv-1" });
        var redeemed = await s.Admin.PostAsync($"/v1/customers/{id}/loyalty/rewards/{rewardId}/redeem", null);
        var account = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/loyalty"))!;
        var ledger = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/loyalty/ledger?limit=2"))!;
        var catalogue = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/loyalty/rewards"))!;
        var reciprocity = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/reciprocity"))!;

        Assert.Equal(HttpStatusCode.Created, reward.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badReward.StatusCode);
        Assert.Equal(HttpStatusCode.Created, earned.StatusCode);
        Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
        Assert.Equal("gold", account["tier"]!.GetValue<string>());
        Assert.Equal(1200 + 100 - 200, account["balance"]!.GetValue<long>()); // the review earns 50 × 2 in gold
        Assert.Equal(11m, account["balanceValue"]!.GetValue<decimal>());
        Assert.NotNull(account["nextExpiry"]);
        Assert.Equal(2, ledger["items"]!.AsArray().Count);
        Assert.Equal("redeem", ledger["items"]![0]!["kind"]!.GetValue<string>());
        Assert.NotNull(ledger["nextBefore"]);
        Assert.Equal("Free delivery", Assert.Single(catalogue)!["name"]!.GetValue<string>());
        Assert.Equal(2m, reciprocity["receivedItems"]!["rewards"]!.GetValue<decimal>()); // 200 points × 0.01
        Assert.Equal(1200m, reciprocity["givenItems"]!["margin"]!.GetValue<decimal>()); // no product costs known: all of it
        Assert.Equal(1198m, reciprocity["balance"]!.GetValue<decimal>());
        var profile = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}"))!;
        Assert.Equal((1100L, "gold"), (profile["loyalty"]!["balance"]!.GetValue<long>(), profile["loyalty"]!["tier"]!.GetValue<string>()));
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/timeline?name=Tier%20Changed"))!;
        Assert.Equal("gold", timeline["items"]![0]!["properties"]!["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task NightlyJob_ClockPasses2am_ExpiresLots()
    {
        await using var s = await ApiServer.StartAsync();
        var id = await CustomerWithOrderAsync(s, "ann", 100m);
        var service = s.App.Services.GetRequiredService<LoyaltyExpiryService>();
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Ran += summary =>
        {
            if (summary.LotsExpired > 0)
            {
                ran.TrySetResult(summary.PointsExpired);
            }
        };

        for (var day = 0; day < 32 && !ran.Task.IsCompleted; day++)
        {
            s.Clock.Advance(TimeSpan.FromDays(1));
            await Task.Delay(50);
        }

        Assert.Equal(100, await ran.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var account = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{id}/loyalty"))!;
        Assert.Equal(0, account["balance"]!.GetValue<long>());
    }

    /// <summary>Sets the test programme, tracks one order (points earned at the order's time) and returns the customer id.</summary>
    private static async Task<long> CustomerWithOrderAsync(ApiServer s, string user, decimal total)
    {
        (await s.Admin.PutAsJsonAsync("/v1/loyalty/program", Program)).EnsureSuccessStatusCode();
        (await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = user,
            @event = "Order Completed",
            timestamp = "2026-04-30T10:00:00Z",
            properties = new { order_id = $"W-{user}", total, products = new[] { new { product_id = "LAMP", price = total, quantity = 1 } } },
        })).EnsureSuccessStatusCode();
        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }
}
