using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;

namespace Rapport.Tests.Http;

/// <summary>The served recommender over real HTTP: events in, retrain, lists out, and the rules every list obeys.</summary>
public sealed class RecommendationApiTests
{
    private static async Task TrackAsync(ApiServer s, string user, string @event, object properties, string? timestamp = null)
    {
        var reply = timestamp is null
            ? await s.Writer.PostAsJsonAsync("/v1/track", new { userId = user, @event, properties })
            : await s.Writer.PostAsJsonAsync("/v1/track", new { userId = user, @event, properties, timestamp });
        reply.EnsureSuccessStatusCode();
    }

    private static object Line(string sku, string category, double price) => new { sku, category, price, quantity = 1 };

    private static Task BuyAsync(ApiServer s, string user, string orderId, string? timestamp, params object[] products) =>
        TrackAsync(s, user, "Order Completed", new { order_id = orderId, products }, timestamp);

    private static Task ViewAsync(ApiServer s, string user, string sku, string category, double price) =>
        TrackAsync(s, user, "Product Viewed", new { sku, category, price });

    /// <summary>
    /// Mugs a (£5), b (£8), c (£12); plate (£10); tea (£3, bought again and again); lamp (£30).
    /// u1-u4 buy mug-a with the plate; u1-u3 also look at mug-b and mug-c; u5 and u6 buy tea on two
    /// days; Ann bought tea and mug-a and looked at the plate. mug-c is then marked unavailable.
    /// </summary>
    private static async Task<long> SeedAsync(ApiServer s)
    {
        for (int u = 1; u <= 4; u++)
        {
            await BuyAsync(s, $"u{u}", $"o{u}", null, Line("mug-a", "mugs", 5), Line("plate", "plates", 10));
        }

        for (int u = 1; u <= 3; u++)
        {
            await ViewAsync(s, $"u{u}", "mug-b", "mugs", 8);
            await ViewAsync(s, $"u{u}", "mug-c", "mugs", 12);
        }

        foreach (var u in new[] { "u5", "u6" })
        {
            await BuyAsync(s, u, $"{u}-t1", "2026-04-10T10:00:00Z", Line("tea", "tea", 3));
            await BuyAsync(s, u, $"{u}-t2", "2026-04-20T10:00:00Z", Line("tea", "tea", 3));
        }

        await ViewAsync(s, "u6", "lamp", "lights", 30);
        await BuyAsync(s, "ann", "ann-1", "2026-04-25T10:00:00Z", Line("tea", "tea", 3));
        await BuyAsync(s, "ann", "ann-2", null, Line("mug-a", "mugs", 5));
        await ViewAsync(s, "ann", "plate", "plates", 10);
        await using (var c = await s.Db.OpenAsync())
        {
            await c.ExecuteAsync("UPDATE products SET available = 0 WHERE sku = 'mug-c'");
        }

        (await s.Admin.PostAsync("/v1/recommendations/retrain", null)).EnsureSuccessStatusCode();
        return await IdAsync(s, "ann");
    }

    private static async Task<long> IdAsync(ApiServer s, string user) =>
        (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();

    private static async Task<List<string>> SkusAsync(ApiServer s, string path)
    {
        var reply = await s.Admin.GetAsync(path);
        Assert.True(reply.IsSuccessStatusCode, $"{path}: {(int)reply.StatusCode} {await reply.Content.ReadAsStringAsync()}");
        var body = await reply.Content.ReadFromJsonAsync<JsonObject>();
        return body!["items"]!.AsArray().Select(i => i!["sku"]!.GetValue<string>()).ToList();
    }

    [Fact]
    public async Task Personal_ObeysTheRules_AndTheExcludeList()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await SeedAsync(s);

        var personal = await SkusAsync(s, $"/v1/customers/{ann}/recommendations?type=personal&k=10");
        var excluded = await SkusAsync(s, $"/v1/customers/{ann}/recommendations?k=10&exclude=plate,tea");

        Assert.Equal("plate", personal[0]); // bought with mug-a by everyone, and viewed by Ann
        Assert.Contains("mug-b", personal);
        Assert.Contains("tea", personal); // bought before, but a repeat item
        Assert.DoesNotContain("mug-a", personal); // bought once, nobody buys it twice
        Assert.DoesNotContain("mug-c", personal); // unavailable
        Assert.DoesNotContain("plate", excluded);
        Assert.DoesNotContain("tea", excluded);
        Assert.Contains("mug-b", excluded);
    }

    [Fact]
    public async Task JustBought_LeavesTheListBeforeAnyRetrain()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await SeedAsync(s);
        Assert.Contains("mug-b", await SkusAsync(s, $"/v1/customers/{ann}/recommendations"));

        await BuyAsync(s, "ann", "ann-3", null, Line("mug-b", "mugs", 8));

        Assert.DoesNotContain("mug-b", await SkusAsync(s, $"/v1/customers/{ann}/recommendations"));
        var model = await s.Admin.GetFromJsonAsync<JsonObject>("/v1/recommendations/model");
        Assert.True(model!["stale"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ProductLists_SimilarFbtUpsell()
    {
        await using var s = await ApiServer.StartAsync();
        await SeedAsync(s);

        Assert.Equal("plate", (await SkusAsync(s, "/v1/products/mug-a/recommendations?type=fbt"))[0]);
        Assert.Equal(["mug-b"], await SkusAsync(s, "/v1/products/mug-a/recommendations?type=upsell")); // dearer mugs; mug-c is unavailable
        Assert.Equal("mug-a", (await SkusAsync(s, "/v1/products/mug-b/recommendations?type=similar"))[0]);
        Assert.Equal("plate", (await SkusAsync(s, "/v1/products/mug-a/recommendations?type=similar&signal=purchases"))[0]);
        Assert.Empty(await SkusAsync(s, "/v1/products/mug-b/recommendations?type=similar&signal=views")); // only ever viewed with mug-c, unavailable
    }

    [Fact]
    public async Task NewVisitor_GetsPopular_AndResumeShowsCartThenViews()
    {
        await using var s = await ApiServer.StartAsync();
        await SeedAsync(s);
        await TrackAsync(s, "newbie", "Product Viewed", new { sku = "lamp", category = "lights", price = 30 });
        await TrackAsync(s, "newbie", "Product Added", new { sku = "plate", category = "plates", price = 10, quantity = 1 });
        var newbie = await IdAsync(s, "newbie");
        await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "stranger" });
        var stranger = await IdAsync(s, "stranger");

        var popular = await SkusAsync(s, $"/v1/customers/{stranger}/recommendations?type=popular&k=3");
        var personal = await SkusAsync(s, $"/v1/customers/{stranger}/recommendations?k=3");
        var resume = await SkusAsync(s, $"/v1/customers/{newbie}/recommendations?type=resume");

        Assert.Equal(3, popular.Count);
        Assert.DoesNotContain("mug-c", popular);
        Assert.Equal(popular, personal); // no history yet: popularity
        Assert.Equal(["plate", "lamp"], resume);
    }

    [Fact]
    public async Task BadInput_400And404WithHowToFix()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await SeedAsync(s);

        async Task<(HttpStatusCode, string)> Get(string path)
        {
            var r = await s.Admin.GetAsync(path);
            return (r.StatusCode, (await r.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
        }

        var (unknownType, typeDetail) = await Get($"/v1/customers/{ann}/recommendations?type=magic");
        var (unknownCustomer, _) = await Get("/v1/customers/987654/recommendations");
        var (noItem, itemDetail) = await Get($"/v1/customers/{ann}/recommendations?type=similar");
        var (unknownItem, _) = await Get("/v1/products/nope/recommendations");
        var (badK, _) = await Get($"/v1/customers/{ann}/recommendations?k=0");
        var (productPersonal, _) = await Get("/v1/products/mug-a/recommendations?type=personal");
        var (badSignal, _) = await Get("/v1/products/mug-a/recommendations?signal=smell");

        Assert.Equal(HttpStatusCode.BadRequest, unknownType);
        Assert.Contains("personal, similar, fbt, upsell, resume, popular", typeDetail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownCustomer);
        Assert.Equal(HttpStatusCode.BadRequest, noItem);
        Assert.Contains("item=SKU", itemDetail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownItem);
        Assert.Equal(HttpStatusCode.BadRequest, badK);
        Assert.Equal(HttpStatusCode.BadRequest, productPersonal);
        Assert.Equal(HttpStatusCode.BadRequest, badSignal);
        Assert.Equal(HttpStatusCode.Forbidden, (await s.Writer.GetAsync($"/v1/customers/{ann}/recommendations")).StatusCode);
    }
}
