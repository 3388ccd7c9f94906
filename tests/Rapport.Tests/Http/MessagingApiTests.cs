using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Messaging;
using Rapport.Core.Tests.Messaging;

namespace Rapport.Tests.Http;

/// <summary>Templates, sending and the outbox through the API, delivered by the server's own dispatcher to a real SMTP server.</summary>
public sealed class MessagingApiTests : IAsyncLifetime
{
    private SmtpSink _smtp = null!;
    private ApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        var smtp = new SmtpOptions("127.0.0.1", _smtp.Port, "shop@rapport.test") { Connections = 2, Timeout = TimeSpan.FromSeconds(5) };
        _api = await ApiServer.StartAsync(configure: s =>
        {
            s.AddSingleton(new MessagingOptions { PublicUrl = "http://rapport.test", Smtp = smtp });
            s.AddSingleton<IMessageTransport>(sp => new SmtpTransport(smtp, sp.GetRequiredService<MessageLinks>()));
        });
        var template = await _api.Admin.PutAsJsonAsync("/v1/templates/news", new
        {
            subject = "News for {{customer.firstName|you}}",
            text = "Hello {{customer.firstName}}. Unsubscribe: {{links.unsubscribe}}",
            html = "<p>Hello {{customer.firstName}}</p><a href=\"https://shop.test/new\">New in</a>",
        });
        Assert.Equal(HttpStatusCode.Created, template.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task Template_Invalid_400WithPartAndPosition_AndSavingAgainIs200()
    {
        var unclosed = await _api.Admin.PutAsJsonAsync("/v1/templates/bad", new { subject = "Hi", text = "{{#recommendations}} {{name}}" });
        var unknown = await _api.Admin.PutAsJsonAsync("/v1/templates/bad", new { subject = "Hi {{custommer.name}}", text = "x" });
        var again = await _api.Admin.PutAsJsonAsync("/v1/templates/news", new { subject = "News", text = "Hello" });

        Assert.Equal(HttpStatusCode.BadRequest, unclosed.StatusCode);
        var problem = (await unclosed.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("never closed", problem["detail"]!.GetValue<string>());
        Assert.Equal("text", problem["errors"]!["part"]!.GetValue<string>());
        Assert.Equal(0, problem["errors"]!["position"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'custommer' is not something a message knows", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Send_BadRequests_SayWhatIsWrong()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = "nomail", traits = new { name = "No Mail" } });
        var noMail = (await _api.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=nomail"))!["id"]!.GetValue<long>();

        Assert.Equal(HttpStatusCode.NotFound, (await _api.Admin.PostAsJsonAsync("/v1/customers/999999/messages", new { template = "news" })).StatusCode);
        var missing = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("PUT /v1/templates/nope", await missing.Content.ReadAsStringAsync());
        var purpose = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news", purpose = "spam" });
        Assert.Equal(HttpStatusCode.BadRequest, purpose.StatusCode);
        Assert.Contains("marketing, service", await purpose.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _api.Admin.PostAsJsonAsync($"/v1/customers/{noMail}/messages", new { template = "news" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _api.Admin.GetAsync("/v1/outbox?status=lost")).StatusCode);
        Assert.Empty(_smtp.Messages());
    }

    [Fact]
    public async Task Send_DeliveredByTheServer_OnceForARetriedRequest_AndOnTheTimeline()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");

        var first = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news", key = "order-1-news" });
        var retried = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news", key = "order-1-news" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        Assert.Equal(id, (await retried.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>());
        var mail = SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1)));
        Assert.Equal("News for Ann", mail.Subject);
        await StatusAsync(id, "sent");
        var timeline = await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?channel=email");
        Assert.Equal("Email Sent", timeline!["items"]!.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.Single(_smtp.Messages());
    }

    [Fact]
    public async Task UnsubscribeLink_OneClick_StopsMarketing_AndTamperedLinksAre404()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news" });
        var mail = SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1)));
        var unsubscribe = new Uri(mail.Headers["List-Unsubscribe"]!.Trim('<', '>')).PathAndQuery;

        var page = await _api.Client(null).GetStringAsync(unsubscribe);
        var done = await _api.Client(null).PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        var at = unsubscribe.Length - 3; // one character changed for certain ("xyz" is no change when it already ends so)
        var forged = await _api.Client(null).PostAsync(unsubscribe[..at] + (unsubscribe[at] == 'x' ? 'y' : 'x') + unsubscribe[(at + 1)..], null);

        Assert.Contains("ann@example.com", page);
        Assert.Contains("<form method=\"post\">", page);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        var next = await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news" });
        await StatusAsync((await next.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>(), "blocked");
        var names = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?channel=email"))!["items"]!.AsArray()
            .Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["Email Blocked", "Unsubscribed", "Email Sent"], names); // newest first
        Assert.Single(_smtp.Messages());
    }

    [Fact]
    public async Task ClickAndOpen_Recorded_AndAForgedTargetIsRefused()
    {
        var ann = await CustomerAsync("ann", "ann@example.com");
        await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news" });
        var html = SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1))).HtmlBody!;
        var click = new Uri(WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]+)\"").Groups[1].Value)).PathAndQuery;
        var open = new Uri(System.Text.RegularExpressions.Regex.Match(html, "src=\"([^\"]+)\"").Groups[1].Value).PathAndQuery;
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _api.Address };

        var followed = await noRedirect.GetAsync(click);
        var forged = await noRedirect.GetAsync(click.Replace("shop.test", "evil.test", StringComparison.Ordinal));
        var pixel = await noRedirect.GetAsync(open);

        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        Assert.Equal("https://shop.test/new", followed.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal("image/gif", pixel.Content.Headers.ContentType!.MediaType);
        var names = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ann}/timeline?channel=email"))!["items"]!.AsArray()
            .Select(e => e!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["Email Link Clicked", "Email Opened", "Email Sent"], names);
    }

    [Fact]
    public async Task DeadLetters_VisibleToStaff_AndRetryOnlyForDead()
    {
        var bob = await CustomerAsync("bob", "reject-bob@example.com");
        var ann = await CustomerAsync("ann", "ann@example.com");
        var bad = (await (await _api.Admin.PostAsJsonAsync($"/v1/customers/{bob}/messages", new { template = "news" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        var good = (await (await _api.Admin.PostAsJsonAsync($"/v1/customers/{ann}/messages", new { template = "news" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        await StatusAsync(bad, "dead");
        await StatusAsync(good, "sent");
        var dead = (await _api.Admin.GetFromJsonAsync<JsonArray>("/v1/outbox?status=dead"))!;

        Assert.Equal(bad, dead.Single()!["id"]!.GetValue<long>());
        Assert.Contains("550", dead.Single()!["lastError"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await _api.Admin.PostAsync($"/v1/outbox/{good}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Admin.PostAsync("/v1/outbox/999999/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.Admin.PostAsync($"/v1/outbox/{bad}/retry", null)).StatusCode);
    }

    private async Task<long> CustomerAsync(string user, string email)
    {
        var reply = await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = user, traits = new { email, firstName = char.ToUpperInvariant(user[0]) + user[1..], consent_email_marketing = true } });
        reply.EnsureSuccessStatusCode();
        return (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }

    private async Task StatusAsync(long id, string status)
    {
        var watch = Stopwatch.StartNew();
        string? seen = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            seen = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/outbox/{id}"))!["status"]!.GetValue<string>();
            if (seen == status)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"outbox message {id} stayed '{seen}', expected '{status}'");
    }
}
