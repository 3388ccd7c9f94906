using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Messaging;

namespace Rapport.Tests.Http;

/// <summary>The preference centre's link, page and export, and progressive profiling, through the real HTTP host.</summary>
public sealed class PreferenceApiTests : IAsyncLifetime
{
    private ApiServer _api = null!;
    private HttpClient _customer = null!; // no key, no cookie: a customer's browser

    public async Task InitializeAsync()
    {
        _api = await ApiServer.StartAsync();
        _customer = _api.Client(null);
    }

    public async Task DisposeAsync()
    {
        _customer.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Link_OpensThePage_TamperedIs404_ExpiredIs410_BothFriendly()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        var link = await LinkAsync(ann);
        Assert.Equal(_api.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds(), DateTimeOffset.Parse(link["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        var path = new Uri(link["url"]!.GetValue<string>()).AbsolutePath;

        using var page = await _customer.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Your preferences", html, StringComparison.Ordinal);
        Assert.Contains("ann@example.com", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal); // the forms carry an antiforgery token

        var parts = path.Split('.');
        using var tampered = await _customer.GetAsync($"/preferences/{ann + 1}.{parts[1]}.{parts[2]}"); // pointed at another customer
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        var tamperedHtml = await tampered.Content.ReadAsStringAsync();
        Assert.Contains("This link is not valid", tamperedHtml, StringComparison.Ordinal);
        Assert.Contains("How to get a new link", tamperedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", tamperedHtml, StringComparison.Ordinal);

        using var junk = await _customer.GetAsync("/preferences/not-a-token");
        Assert.Equal(HttpStatusCode.NotFound, junk.StatusCode);
        Assert.Contains("This link is not valid", await junk.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        _api.Clock.Advance(TimeSpan.FromDays(31));
        using var expired = await _customer.GetAsync(path);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        var expiredHtml = await expired.Content.ReadAsStringAsync();
        Assert.Contains("This link has expired", expiredHtml, StringComparison.Ordinal);
        Assert.Contains("How to get a new link", expiredHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", expiredHtml, StringComparison.Ordinal);

        // A form posted with an expired link changes nothing either (antiforgery refuses it first, or the link check does).
        using var post = await _customer.PostAsync(path + "?handler=erase", new FormUrlEncodedContent([new("confirm", "yes")]));
        Assert.True((int)post.StatusCode is >= 400 and < 500);
        Assert.Empty((await _api.Admin.GetFromJsonAsync<JsonObject>("/v1/erasure-requests"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task LinkApi_BadInput_ProblemsSayWhatToDo()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        using var unknown = await _api.Admin.PostAsync("/v1/customers/999999/preference-link", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var days = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/preference-link", new { days = 400 });
        Assert.Equal(HttpStatusCode.BadRequest, days.StatusCode);
        Assert.Contains("1 to 365", await days.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var noKey = await _customer.PostAsync($"/v1/customers/{ann}/preference-link", null);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        using var shortLink = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/preference-link", new { days = 1 });
        Assert.Equal(HttpStatusCode.OK, shortLink.StatusCode);
    }

    [Fact]
    public async Task Export_AllTheCustomersData_AsAJsonDownload_OnlyWithAValidLink()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        (await _api.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed", timestamp = "2026-04-10T10:00:00Z",
            properties = new { order_id = "A-1", total = 42.5m, products = new[] { new { product_id = "LAMP", name = "Lamp", price = 42.5m, quantity = 1 } } },
        })).EnsureSuccessStatusCode();
        (await _api.Admin.PatchAsJsonAsync($"/v1/customers/{ann}/consent", new { consents = new { marketing = new { email = true } } })).EnsureSuccessStatusCode();
        var path = new Uri((await LinkAsync(ann))["url"]!.GetValue<string>()).AbsolutePath;

        using var download = await _customer.GetAsync(path + "/export");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        var data = (await download.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ann, data["customer"]!["id"]!.GetValue<long>());
        Assert.Contains(data["customer"]!["identifiers"]!.AsArray(), i => (string?)i!["value"] == "ann@example.com");
        Assert.Equal("Ann Example", (string?)data["customer"]!["traits"]!["name"]!["value"]);
        Assert.Contains(data["consent"]!.AsArray(), a => (string?)a!["purpose"] == "marketing" && (string?)a["channel"] == "email" && (bool)a["granted"]!);
        Assert.Single(data["consentHistory"]!.AsArray());
        Assert.Equal("A-1", (string?)data["orders"]![0]!["orderId"]);
        Assert.Contains(data["events"]!.AsArray(), e => (string?)e!["name"] == "Order Completed");
        Assert.False((bool)data["eventsTruncated"]!);

        using var tampered = await _customer.GetAsync(path[..^3] + "xyz/export");
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        Assert.Contains("not valid", (await tampered.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        _api.Clock.Advance(TimeSpan.FromDays(30));
        using var expired = await _customer.GetAsync(path + "/export");
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
    }

    [Fact]
    public async Task Questions_OneAtATime_AnswersReachTraitsNeedsAndTimeline()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        var first = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-question?channel=web"))!;
        Assert.Equal("values_most", (string?)first["question"]!["id"]);
        Assert.Equal(4, first["question"]!["options"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.Admin.GetAsync($"/v1/customers/{ann}/next-question?channel=fax")).StatusCode);

        using var bad = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/answers", new { question = "values_most", answer = "cheap" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("quality, convenience, discounts, perks", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Admin.PostAsJsonAsync("/v1/customers/999999/answers", new { question = "values_most", answer = "quality" })).StatusCode);

        (await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/answers", new { question = "values_most", answer = "Convenience" })).EnsureSuccessStatusCode();
        (await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/answers", new { question = "interests", answer = new[] { "kitchen", "garden" }, channel = "email" })).EnsureSuccessStatusCode();
        (await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/answers", new { question = "birthday", answer = "07-14" })).EnsureSuccessStatusCode();

        var needs = await Eventually.GetAsync(_api.Admin, $"/v1/customers/{ann}/needs", n => n["preferences"]?["interests"] is not null);
        Assert.Equal("convenience", (string?)needs["preferences"]!["valuesMost"]!["value"]);
        Assert.Equal(["kitchen", "garden"], needs["preferences"]!["interests"]!["value"]!.AsArray().Select(v => (string)v!).ToList());
        var profile = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}"))!;
        Assert.Equal("07-14", (string?)profile["traits"]!["birthday"]!["value"]);
        var timeline = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?name=Profile%20Question%20Answered"))!;
        Assert.Equal(3, timeline["items"]!.AsArray().Count);

        // Same interaction (minutes later): values_most was asked but is answered now, so nothing more today.
        var after = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-question?channel=web"))!;
        Assert.Null(after["question"]);
        _api.Clock.Advance(TimeSpan.FromDays(2));
        var later = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-question?channel=email"))!;
        Assert.Equal("preferred_store", (string?)later["question"]!["id"]);
    }

    [Fact]
    public async Task Page_ExplainsRecentOffersWithTheDecisionLogsReasons()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        (await _api.Admin.PatchAsJsonAsync($"/v1/customers/{ann}/consent", new { consents = new { marketing = new { web = true } } })).EnsureSuccessStatusCode();
        (await _api.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed",
            properties = new { order_id = "A1", total = 30, products = new[] { new { product_id = "LAMP-1", name = "Blue Lamp", price = 30, quantity = 1 } } },
        })).EnsureSuccessStatusCode();
        (await _api.Admin.PostAsJsonAsync("/v1/actions", new
        {
            name = "Lamp voucher", kind = "discount", purpose = "marketing", channels = new[] { "web" }, value = 15,
            condition = "bought(last 30 days)", reason = "because you bought {last_bought}",
        })).EnsureSuccessStatusCode();
        var decided = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/next-best-actions?channel=web"))!;
        Assert.Single(decided["actions"]!.AsArray());

        var html = await (await _customer.GetAsync(new Uri((await LinkAsync(ann))["url"]!.GetValue<string>()).AbsolutePath)).Content.ReadAsStringAsync();
        var offers = html[html.IndexOf("id=\"offers\"", StringComparison.Ordinal)..html.IndexOf("id=\"stored\"", StringComparison.Ordinal)];
        Assert.Contains("Lamp voucher", offers, StringComparison.Ordinal);
        Assert.Contains("because you bought Blue Lamp", offers, StringComparison.Ordinal);
        Assert.Contains("1 order, 0 returns, 30.00 in total", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageTemplate_CarriesAWorkingPreferencesLink()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        (await _api.Admin.PutAsJsonAsync("/v1/templates/prefs", new
        {
            subject = "Hello", text = "Manage your preferences: {{links.preferences}} One question: {{links.question}}",
            html = "<a href=\"{{links.preferences}}\">Manage your preferences</a>",
        })).EnsureSuccessStatusCode();
        var composer = _api.App.Services.GetRequiredService<MessageComposer>();
        var message = await composer.ComposeAsync(ann, "prefs", MessagePurpose.Marketing, "k-1", null);

        var url = System.Text.RegularExpressions.Regex.Match(message.BodyText, @"preferences: (\S+)").Groups[1].Value;
        Assert.Contains("/preferences/", url, StringComparison.Ordinal);
        Assert.Contains(url + "#question", message.BodyText, StringComparison.Ordinal);
        Assert.Contains($"href=\"{url}\"", message.BodyHtml, StringComparison.Ordinal); // not rewritten through click tracking
        using var page = await _customer.GetAsync(new Uri(url).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ann@example.com", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<JsonObject> LinkAsync(long customer)
    {
        using var reply = await _api.Admin.PostAsync($"/v1/customers/{customer}/preference-link", null);
        reply.EnsureSuccessStatusCode();
        return (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<long> CustomerAsync(string user, string email)
    {
        (await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = user, traits = new { email, name = "Ann Example" } })).EnsureSuccessStatusCode();
        return (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }
}
