using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Tests.Http;
using static Rapport.Tests.Conversations.ConversationApiTests;

namespace Rapport.Tests.Conversations;

/// <summary>
/// The inbound SMS webhook over real loopback HTTP, with a real provider endpoint for our
/// answers: signature checks, deduplication, keywords that change consent, answers by SMS
/// through the outbox, and nothing sent after STOP.
/// </summary>
public sealed class InboundSmsApiTests
{
    [Fact]
    public async Task SignedTexts_AreStoredOnce_BadOrOldSignatures_Get401_AndNothingIsStored()
    {
        await using var provider = new SmsProvider();
        await using var s = await provider.StartServerAsync();
        var text = new { from = "+44 7700 900123", to = "+447700900000", body = "Is the blue lamp back?", messageId = "SM-1", receivedAt = "2026-05-01T11:59:58Z" };

        await ProblemAsync(SmsProvider.TextAsync(s, text, sign: false), HttpStatusCode.Unauthorized, "X-Rapport-Signature header is missing");
        await ProblemAsync(SmsProvider.TextAsync(s, text, secret: "not-the-shared-secret-at-all"), HttpStatusCode.Unauthorized, "does not match");
        await ProblemAsync(SmsProvider.TextAsync(s, text, signedAt: s.Clock.GetUtcNow().AddMinutes(-10)), HttpStatusCode.Unauthorized, "within 5 minutes");
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/conversations"))!);

        var stored = await CreatedAsync(SmsProvider.TextAsync(s, text));
        Assert.Equal("sms", stored["message"]!["channel"]!.GetValue<string>());
        Assert.Equal("+447700900123", stored["thread"]!["customerName"]!.GetValue<string>());
        using (var retry = await SmsProvider.TextAsync(s, text))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(stored["message"]!["id"]!.GetValue<long>(), (await retry.Content.ReadFromJsonAsync<JsonObject>())!["message"]!["id"]!.GetValue<long>());
        }

        var customer = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=phone&value=%2B447700900123"))!["id"]!.GetValue<long>();
        Assert.Equal(customer, stored["thread"]!["customerId"]!.GetValue<long>());
        var thread = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{stored["thread"]!["id"]}"))!;
        Assert.Single(thread["messages"]!.AsArray());
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/timeline"))!;
        Assert.Single(timeline["items"]!.AsArray(), e => e!["name"]?.GetValue<string>() == "Conversation Message Received" && e["channel"]?.GetValue<string>() == "sms");

        await ProblemAsync(SmsProvider.TextAsync(s, new { from = "+447700900123", body = "hi" }), HttpStatusCode.BadRequest, "messageId");
        await ProblemAsync(SmsProvider.TextAsync(s, new { from = "SHOP", body = "hi", messageId = "SM-2" }), HttpStatusCode.BadRequest, "phone number");
    }

    [Fact]
    public async Task StaffAnswerBySms_ReachesTheProvider_StopChangesConsent_AndThenNothingIsSent()
    {
        await using var provider = new SmsProvider();
        await using var s = await provider.StartServerAsync();
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var asked = await CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900456", body = "Can I collect today?", messageId = "SM-10" }));
        var threadId = asked["thread"]!["id"]!.GetValue<long>();
        var customer = asked["thread"]!["customerId"]!.GetValue<long>();

        // No channel given: the answer goes where the customer wrote, by SMS through the outbox.
        var answer = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Yes, until 6 pm.", staffId }));
        Assert.Equal("sms", answer["message"]!["channel"]!.GetValue<string>());
        var (sent, valid) = await provider.NextSentAsync();
        Assert.True(valid);
        Assert.Equal("+447700900456", sent["to"]!.GetValue<string>());
        Assert.Equal("Yes, until 6 pm.", sent["text"]!.GetValue<string>());
        Assert.Equal("service", sent["purpose"]!.GetValue<string>());

        // STOP: the SMS marketing consent is denied in the ledger (source "sms keyword"), no message in the thread, nothing sent back.
        var stop = await CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900456", body = "STOP", messageId = "SM-11" }));
        Assert.Equal("denied", stop["consent"]!["value"]!.GetValue<string>());
        using (var again = await SmsProvider.TextAsync(s, new { from = "+447700900456", body = "STOP", messageId = "SM-11" }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var history = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{customer}/consent/history"))!["items"]!.AsArray();
        var entry = Assert.Single(history)!;
        Assert.Equal("marketing.sms", entry["item"]!.GetValue<string>());
        Assert.Equal("denied", entry["value"]!.GetValue<string>());
        Assert.Equal("sms keyword", entry["source"]!.GetValue<string>());
        Assert.Equal(2, (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!["messages"]!.AsArray().Count);

        // A staff answer after STOP is stored but blocked by the gate: it never reaches the provider.
        var blocked = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Sorry to see you go!", staffId }));
        var outboxId = await OutboxIdAsync(s, customer, blocked);
        var outbox = await Eventually.GetAsync(s.Admin, $"/v1/outbox/{outboxId}", o => o["status"]?.GetValue<string>() == "blocked");
        Assert.Equal("blocked", outbox["status"]!.GetValue<string>());
        Assert.Contains("STOP", outbox["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(provider.Sent.IsEmpty);

        // START lets texts through again.
        var start = await CreatedAsync(SmsProvider.TextAsync(s, new { from = "+447700900456", body = "start", messageId = "SM-12" }));
        Assert.Equal("granted", start["consent"]!["value"]!.GetValue<string>());
        await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Welcome back.", staffId }));
        Assert.Equal("Welcome back.", (await provider.NextSentAsync()).Body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutAnSmsWebhook_InboundTextsGet503_SoTheProviderRetries()
    {
        await using var s = await ApiServer.StartAsync();
        await ProblemAsync(SmsProvider.TextAsync(s, new { from = "+447700900123", body = "hi", messageId = "SM-1" }), HttpStatusCode.ServiceUnavailable, "Rapport:Webhooks:sms");
    }

    private static async Task<long> OutboxIdAsync(ApiServer s, long customer, JsonObject stored)
    {
        var key = $"conversation-{stored["message"]!["id"]}";
        var rows = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/outbox?customer={customer}"))!;
        return rows.Single(r => r!["key"]!.GetValue<string>() == key)!["id"]!.GetValue<long>();
    }
}
