using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Tests.Http;
using static Rapport.Tests.Conversations.ConversationApiTests;

namespace Rapport.Tests.Conversations;

/// <summary>
/// What SMS and push providers report back on our messages (POST /v1/webhooks/{channel}/events),
/// over real loopback HTTP with a real provider endpoint receiving what we send: delivery, opens
/// and clicks on the timeline once each, replies on the customer's thread and answered by push,
/// a permanent failure suppressing the token, and bad or forged reports refused with nothing stored.
/// </summary>
public sealed class ProviderEventsApiTests
{
    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task PushReports_LandOnTheTimelineOnceEach_BadOrForgedReportsChangeNothing(StoreKind store)
    {
        await using var provider = new SmsProvider("push");
        await using var s = await provider.StartServerAsync(store: store);
        var customer = await PushCustomerAsync(s, "pia", "tok-pia-1");
        var sent = await SendPushAsync(s, provider, customer, "k1");
        var id = sent["id"]!.GetValue<long>();
        var key = sent["key"]!.GetValue<string>();

        Assert.Equal("Push Delivered", (await OkAsync(SmsProvider.ReportAsync(s, "push", new { id, key, status = "delivered", eventId = "ev-1", at = s.Clock.GetUtcNow().AddSeconds(-3) })))["event"]!.GetValue<string>());
        await OkAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "delivered", eventId = "ev-1" })); // the provider retried
        Assert.Equal("Push Opened", (await OkAsync(SmsProvider.ReportAsync(s, "push", new { key, status = "opened" })))["event"]!.GetValue<string>());
        await OkAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "clicked", url = "https://shop.example/lamp" }));
        await OkAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "clicked", url = "https://shop.example/lamp" }));

        // Refused, each with what to send instead, and nothing stored.
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "delivered" }, sign: false), HttpStatusCode.Unauthorized, "X-Rapport-Signature");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "delivered" }, secret: "another-secret-entirely-1234"), HttpStatusCode.Unauthorized, "does not match");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "read" }), HttpStatusCode.BadRequest, "delivered, undelivered, opened, clicked, replied");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { status = "delivered" }), HttpStatusCode.BadRequest, "id (or the key)");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "clicked", url = "javascript:alert(1)" }), HttpStatusCode.BadRequest, "absolute http or https");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, status = "replied", text = "hi" }), HttpStatusCode.BadRequest, "eventId");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id = id + 1000, status = "opened" }), HttpStatusCode.NotFound, "No push message");
        await ProblemAsync(SmsProvider.ReportAsync(s, "push", new { id, key = "not-its-key", status = "opened" }), HttpStatusCode.NotFound, "No push message");
        await ProblemAsync(SmsProvider.ReportAsync(s, "sms", new { id, status = "delivered" }), HttpStatusCode.ServiceUnavailable, "Rapport:Webhooks:sms");
        await ProblemAsync(SmsProvider.ReportAsync(s, "fax", new { id, status = "delivered" }), HttpStatusCode.NotFound, "sms or push");

        var items = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/timeline"))!["items"]!.AsArray();
        var delivered = Assert.Single(items, e => e!["name"]?.GetValue<string>() == "Push Delivered")!;
        Assert.Equal("ev-1", delivered["properties"]!["provider_event_id"]!.GetValue<string>());
        Assert.Equal(id, delivered["properties"]!["outbox_id"]!.GetValue<long>());
        Assert.Single(items, e => e!["name"]?.GetValue<string>() == "Push Opened");
        var click = Assert.Single(items, e => e!["name"]?.GetValue<string>() == "Push Link Clicked")!;
        Assert.Equal("https://shop.example/lamp", click["properties"]!["url"]!.GetValue<string>());
        Assert.DoesNotContain(items, e => e!["name"]?.GetValue<string>() == "Push Undelivered");
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task PushReply_LandsOnTheThread_IsAnsweredByPush_AndAPermanentFailureStopsSendsToTheToken(StoreKind store)
    {
        await using var provider = new SmsProvider("push");
        await using var s = await provider.StartServerAsync(store: store);
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var customer = await PushCustomerAsync(s, "paul", "tok-paul-1");
        var sent = await SendPushAsync(s, provider, customer, "k2");

        var reply = new { id = sent["id"]!.GetValue<long>(), status = "replied", eventId = "rep-1", text = "  Do you have it in blue?  " };
        var stored = await CreatedAsync(SmsProvider.ReportAsync(s, "push", reply));
        Assert.Equal("push", stored["message"]!["channel"]!.GetValue<string>());
        Assert.Equal("in", stored["message"]!["direction"]!.GetValue<string>());
        Assert.Equal("Do you have it in blue?", stored["message"]!["body"]!.GetValue<string>());
        Assert.Equal(customer, stored["thread"]!["customerId"]!.GetValue<long>());
        var again = await OkAsync(SmsProvider.ReportAsync(s, "push", reply));
        Assert.Equal(stored["message"]!["id"]!.GetValue<long>(), again["message"]!["id"]!.GetValue<long>());

        var threadId = stored["thread"]!["id"]!.GetValue<long>();
        Assert.Single((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!["messages"]!.AsArray());
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/timeline"))!["items"]!.AsArray();
        Assert.Single(timeline, e => e!["name"]?.GetValue<string>() == "Conversation Message Received" && e["channel"]?.GetValue<string>() == "push");

        // No channel given: the answer goes back the way the customer wrote, by push through the outbox.
        var answer = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Yes, size M and L.", staffId }));
        Assert.Equal("push", answer["message"]!["channel"]!.GetValue<string>());
        var (pushed, valid) = await provider.NextSentAsync();
        Assert.True(valid);
        Assert.Equal("tok-paul-1", pushed["to"]!.GetValue<string>());
        Assert.Equal("Yes, size M and L.", pushed["text"]!.GetValue<string>());
        Assert.Equal("service", pushed["purpose"]!.GetValue<string>());

        // The provider says the token is gone for good: it is suppressed, and the next answer never leaves.
        var gone = await OkAsync(SmsProvider.ReportAsync(s, "push", new { id = pushed["id"]!.GetValue<long>(), status = "undelivered", permanent = true, error = "410 Unregistered" }));
        Assert.Equal("Push Undelivered", gone["event"]!.GetValue<string>());
        var next = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Anything else?", staffId }));
        var nextRow = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/outbox?customer={customer}"))!
            .Single(r => r!["key"]!.GetValue<string>() == $"conversation-{next["message"]!["id"]}")!;
        var blocked = await Eventually.GetAsync(s.Admin, $"/v1/outbox/{nextRow["id"]}", o => o["status"]?.GetValue<string>() == "blocked");
        Assert.Equal("blocked", blocked["status"]!.GetValue<string>());
        Assert.Contains("410 Unregistered", blocked["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(provider.Sent.IsEmpty);
        var undelivered = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/timeline"))!["items"]!.AsArray()
            .Single(e => e!["name"]?.GetValue<string>() == "Push Undelivered")!;
        Assert.True(undelivered["properties"]!["permanent"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SmsDeliveryReport_IsOnTheTimeline_AndATextReportedBothWaysIsStoredOnce()
    {
        await using var provider = new SmsProvider();
        await using var s = await provider.StartServerAsync();
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var asked = await CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900777", body = "Open on Sunday?", messageId = "SM-77" }));
        var threadId = asked["thread"]!["id"]!.GetValue<long>();
        var customer = asked["thread"]!["customerId"]!.GetValue<long>();
        await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "10 to 4.", staffId }));
        var (texted, _) = await provider.NextSentAsync();
        var id = texted["id"]!.GetValue<long>();

        Assert.Equal("SMS Delivered", (await OkAsync(SmsProvider.ReportAsync(s, "sms", new { id, status = "delivered" })))["event"]!.GetValue<string>());
        await ProblemAsync(SmsProvider.ReportAsync(s, "sms", new { id, status = "opened" }), HttpStatusCode.BadRequest, "delivered, undelivered, clicked, replied");
        // The provider also reports the customer's first text as a reply to our answer: the same provider id, stored once.
        var same = await OkAsync(SmsProvider.ReportAsync(s, "sms", new { id, status = "replied", eventId = "SM-77", text = "Open on Sunday?" }));
        Assert.Equal(asked["message"]!["id"]!.GetValue<long>(), same["message"]!["id"]!.GetValue<long>());
        Assert.Equal(2, (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!["messages"]!.AsArray().Count);
        var items = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/timeline"))!["items"]!.AsArray();
        Assert.Single(items, e => e!["name"]?.GetValue<string>() == "SMS Delivered" && e["properties"]!["outbox_id"]!.GetValue<long>() == id);
    }

    [Fact]
    public async Task AReportAfterTheCustomerWasMergedAway_LandsOnTheSurvivor_NotOnACustomerMadeFromTheToken()
    {
        await using var provider = new SmsProvider("push");
        await using var s = await provider.StartServerAsync();
        // Kim first: the older customer survives a merge, so the visitor's customer is the one merged away.
        var known = await PushCustomerAsync(s, "kim", "tok-kim-1");
        var anonymous = await PushVisitorAsync(s, "anon-push-1", "tok-anon-1");
        var sent = await SendPushAsync(s, provider, anonymous, "k3");

        // The visitor signs in as Kim: the visitor's customer is merged into Kim's.
        await SignInAsync(s, "kim", "anon-push-1");

        var survivor = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=kim"))!["id"]!.GetValue<long>();
        Assert.Equal(survivor, (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=anonymous_id&value=anon-push-1"))!["id"]!.GetValue<long>());
        Assert.Equal(known, survivor);

        await OkAsync(SmsProvider.ReportAsync(s, "push", new { id = sent["id"]!.GetValue<long>(), status = "opened" }));
        var items = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{survivor}/timeline"))!["items"]!.AsArray();
        Assert.Single(items, e => e!["name"]?.GetValue<string>() == "Push Opened");
        using var byToken = await s.Admin.GetAsync("/v1/customers/lookup?kind=email&value=tok-anon-1");
        Assert.Equal(HttpStatusCode.NotFound, byToken.StatusCode);
    }

    [Fact]
    public async Task APushSentWhileItsCustomerWasMergedAway_IsRecordedOnTheSurvivor_NotOnACustomerMadeFromTheToken()
    {
        await using var provider = new SmsProvider("push");
        await using var s = await provider.StartServerAsync();
        var known = await PushCustomerAsync(s, "lee", "tok-lee-1");
        var anonymous = await PushVisitorAsync(s, "anon-push-2", "tok-anon-2");

        // The provider holds its answer: the send is in flight, queued for the visitor's customer...
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.HoldReplies = release;
        var sent = await SendPushAsync(s, provider, anonymous, "k4");

        // ...when the visitor signs in as Lee and is merged away; then the provider answers.
        await SignInAsync(s, "lee", "anon-push-2");

        Assert.Equal(known, (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=anonymous_id&value=anon-push-2"))!["id"]!.GetValue<long>());
        release.SetResult();

        var id = sent["id"]!.GetValue<long>();
        JsonArray items = [];
        for (var i = 0; i < 300 && !items.Any(e => e!["name"]?.GetValue<string>() == "Push Sent"); i++)
        {
            await Task.Delay(100);
            items = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{known}/timeline"))!["items"]!.AsArray();
        }

        var pushSent = Assert.Single(items, e => e!["name"]?.GetValue<string>() == "Push Sent")!;
        Assert.Equal(id, pushSent["properties"]!["outbox_id"]!.GetValue<long>());
        using var byToken = await s.Admin.GetAsync("/v1/customers/lookup?kind=email&value=tok-anon-2");
        Assert.Equal(HttpStatusCode.NotFound, byToken.StatusCode);
    }

    /// <summary>An anonymous visitor with a push token; returns their customer id.</summary>
    private static async Task<long> PushVisitorAsync(ApiServer s, string anonymousId, string token)
    {
        using (var visitor = await s.Writer.PostAsJsonAsync("/v1/identify", new { anonymousId, traits = new { pushToken = token } }))
        {
            visitor.EnsureSuccessStatusCode();
        }

        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=anonymous_id&value={anonymousId}"))!["id"]!.GetValue<long>();
    }

    /// <summary>The visitor signs in: their customer is merged into the (older) known one.</summary>
    private static async Task SignInAsync(ApiServer s, string userId, string anonymousId)
    {
        using var signIn = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId, anonymousId });
        signIn.EnsureSuccessStatusCode();
    }

    private static async Task<long> PushCustomerAsync(ApiServer s, string userId, string token)
    {
        using var reply = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId, traits = new { name = userId, pushToken = token } });
        reply.EnsureSuccessStatusCode();
        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={userId}"))!["id"]!.GetValue<long>();
    }

    /// <summary>Queues a service push for the customer and returns what the provider received (our id and key in it).</summary>
    private static async Task<JsonObject> SendPushAsync(ApiServer s, SmsProvider provider, long customer, string key)
    {
        using (var t = await s.Admin.PutAsJsonAsync("/v1/templates/back-in-stock", new { channel = "push", subject = "Back in stock", text = "Hi {{customer.name}}, the lamp is back." }))
        {
            Assert.True(t.IsSuccessStatusCode, await t.Content.ReadAsStringAsync());
        }

        using (var queued = await s.Admin.PostAsJsonAsync($"/v1/customers/{customer}/messages", new { template = "back-in-stock", purpose = "service", key }))
        {
            Assert.True(queued.IsSuccessStatusCode, await queued.Content.ReadAsStringAsync());
        }

        var (sent, valid) = await provider.NextSentAsync();
        Assert.True(valid);
        Assert.Equal("push", sent["channel"]!.GetValue<string>());
        return sent;
    }

    private static async Task<JsonObject> OkAsync(Task<HttpResponseMessage> sending)
    {
        using var reply = await sending;
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.StatusCode == HttpStatusCode.OK, $"{reply.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
