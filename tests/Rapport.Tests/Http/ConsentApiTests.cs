using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Http;

public sealed class ConsentApiTests
{
    private static async Task<long> CustomerAsync(ApiServer s, string user)
    {
        var sent = await s.Writer.PostAsJsonAsync("/v1/page", new { userId = user, name = "Home" });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }

    private static HttpRequestMessage Patch(string url, object body) => new(HttpMethod.Patch, url) { Content = JsonContent.Create(body) };

    [Theory, BothStores]
    public async Task PutPatchGet_ConsentAndPreferences_OnTimelineAndInHistory(StoreKind store)
    {
        await using var s = await ApiServer.StartAsync(store);
        var ann = await CustomerAsync(s, "ann");

        var put = await s.Admin.PutAsJsonAsync($"/v1/customers/{ann}/consent", new
        {
            source = "preference_page",
            consents = new { marketing = new { email = true, sms = false }, personalisation = true },
            timeZone = "Europe/London",
            quietHours = new { start = "21:00", end = "08:00" },
            maxPerWeek = new { email = 2 },
            preferredChannel = "email",
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = (await put.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(view["consents"]!["marketing"]!["email"]!["granted"]!.GetValue<bool>());
        Assert.Equal("preference_page", view["consents"]!["marketing"]!["email"]!["source"]!.GetValue<string>());
        Assert.True(view["consents"]!["profiling"]!["email"]!["isDefault"]!.GetValue<bool>());
        Assert.Equal("21:00", view["quietHours"]!["start"]!.GetValue<string>());
        Assert.Equal(2, view["maxPerWeek"]!["email"]!.GetValue<int>());

        var patch = await s.Admin.SendAsync(Patch($"/v1/customers/{ann}/consent", new { consents = new { marketing = new { email = false } }, quietHours = (object?)null }));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var now = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/consent"))!;
        Assert.False(now["consents"]!["marketing"]!["email"]!["granted"]!.GetValue<bool>());
        Assert.True(now["consents"]!["personalisation"]!["web"]!["granted"]!.GetValue<bool>()); // PATCH left it alone
        Assert.Null(now["quietHours"]);
        Assert.Equal("Europe/London", now["timeZone"]!.GetValue<string>());

        var history = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/consent/history?limit=2"))!;
        Assert.Equal(2, history["items"]!.AsArray().Count);
        Assert.NotNull(history["nextCursor"]);
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?name=Consent%20Updated"))!;
        Assert.Equal(2, timeline["items"]!.AsArray().Count);
        Assert.Equal("granted", timeline["items"]![1]!["properties"]!["changes"]!["marketing.email"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_UnknownPurposeChannelBadZoneAndQuietHours_400ListsEveryMistakeAndRecordsNothing()
    {
        await using var s = await ApiServer.StartAsync();
        var ann = await CustomerAsync(s, "ann");

        var reply = await s.Admin.PutAsJsonAsync($"/v1/customers/{ann}/consent", new
        {
            consents = new { newsletters = true, marketing = new { fax = true } },
            timeZone = "Europe/Atlantis",
            quietHours = new { start = "9pm", end = "08:00" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Equal("application/problem+json", reply.Content.Headers.ContentType!.MediaType);
        var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
        var paths = problem["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(["$.consents.newsletters", "$.consents.marketing.fax", "$.timeZone", "$.quietHours"], paths);
        Assert.Contains("Nothing was recorded", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/consent/history"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task Consent_UnknownCustomer_404()
    {
        await using var s = await ApiServer.StartAsync();

        var reply = await s.Admin.PutAsJsonAsync("/v1/customers/999/consent", new { consents = new { marketing = true } });

        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Contains("no customer 999", (await reply.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_ConsentUpdatedEventAndTraits_BecomeConsent_UnknownPurposeRejected()
    {
        await using var s = await ApiServer.StartAsync();
        var tracked = await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "bob",
            @event = "Consent Updated",
            properties = new { source = "checkout", consents = new { marketing = new { sms = true } } },
        });
        Assert.Equal(HttpStatusCode.OK, tracked.StatusCode);
        var identified = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "bob", traits = new { consent_email_marketing = true, preferred_channel = "sms" } });
        Assert.Equal(HttpStatusCode.OK, identified.StatusCode);
        var bob = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=bob"))!["id"]!.GetValue<long>();

        var view = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{bob}/consent"))!;
        Assert.Equal("checkout", view["consents"]!["marketing"]!["sms"]!["source"]!.GetValue<string>());
        Assert.Equal("web:identify", view["consents"]!["marketing"]!["email"]!["source"]!.GetValue<string>());
        Assert.Equal("sms", view["preferredChannel"]!.GetValue<string>());

        var bad = await s.Writer.PostAsJsonAsync("/v1/batch", new
        {
            batch = new object[]
            {
                new { type = "track", userId = "bob", @event = "Viewed" },
                new { type = "track", userId = "bob", @event = "Consent Updated", properties = new { consents = new { newsletter = true } } },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = (await bad.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("$.batch[1].properties.consents.newsletter", problem["errors"]![0]!["path"]!.GetValue<string>());
        var badTrait = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId = "bob", traits = new { consent_fax_marketing = true } });
        Assert.Equal(HttpStatusCode.BadRequest, badTrait.StatusCode);
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{bob}/timeline?name=Viewed"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task ContactCheck_QuietHoursPauseAndBadInput()
    {
        await using var s = await ApiServer.StartAsync(); // the fake clock starts at 2026-05-01 12:00 UTC
        var ann = await CustomerAsync(s, "ann");
        await s.Admin.PutAsJsonAsync($"/v1/customers/{ann}/consent", new
        {
            consents = new { marketing = new { sms = true, email = true } },
            timeZone = "Asia/Tokyo",
            quietHours = new { start = "20:00", end = "09:00" },
            pausedUntil = "2026-05-03T00:00:00Z",
        });

        var sms = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/contact-check?purpose=marketing&channel=sms"))!;
        Assert.Equal("paused", sms["reason"]!.GetValue<string>());
        var later = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/contact-check?purpose=marketing&channel=sms&at=2026-05-04T12:00:00Z"))!;
        Assert.Equal("quiet_hours", later["reason"]!.GetValue<string>()); // 21:00 in Tokyo
        var morning = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/contact-check?purpose=marketing&channel=sms&at=2026-05-04T01:00:00Z"))!;
        Assert.True(morning["allowed"]!.GetValue<bool>()); // 10:00 in Tokyo
        var phone = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/contact-check?purpose=marketing&channel=phone&at=2026-05-04T01:00:00Z"))!;
        Assert.Equal("no_consent", phone["reason"]!.GetValue<string>());

        var unknown = await s.Admin.GetAsync($"/v1/customers/{ann}/contact-check?purpose=spam&channel=sms");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("not a consent purpose", (await unknown.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesConsentAndActionEndpoints()
    {
        await using var s = await ApiServer.StartAsync();
        using var anonymous = s.Client(null);

        var paths = (await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();

        Assert.NotNull(paths["/v1/customers/{id}/consent"]!["patch"]);
        Assert.NotNull(paths["/v1/customers/{id}/consent/history"]);
        Assert.NotNull(paths["/v1/actions"]!["post"]);
        Assert.NotNull(paths["/v1/customers/{id}/next-best-actions"]);
        Assert.NotNull(paths["/v1/customers/{id}/actions/{decisionId}/outcome"]);
    }
}
