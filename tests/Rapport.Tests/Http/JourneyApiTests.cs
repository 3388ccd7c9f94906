using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Messaging;
using Rapport.Core.Tests.Messaging;
using Rapport.Engine.Decisioning;

namespace Rapport.Tests.Http;

/// <summary>Journeys through the API, with the server's own journey loop and outbox delivering to a real SMTP server.</summary>
public sealed class JourneyApiTests : IAsyncLifetime
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
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task AbandonedCart_EndToEnd_ReminderAfterTheWait_AndNoneWhenTheOrderCameFirst()
    {
        var install = await _api.Admin.PostAsync("/v1/journeys/library/abandoned-cart?activate=true", null);
        Assert.Equal(HttpStatusCode.Created, install.StatusCode);
        var journey = (await install.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await _api.Admin.PostAsync("/v1/journeys/library/abandoned-cart", null)).StatusCode); // installed once

        // Two customers on the treated side of this journey's 10% control group (a fixed hash of journey and customer).
        var treated = new List<(string User, long Id)>();
        for (var i = 0; treated.Count < 2; i++)
        {
            var user = $"shopper{i}";
            var id = await CustomerAsync(user);
            if (!ControlGroups.InControl($"journey:{journey}", id, 0.1))
            {
                treated.Add((user, id));
            }
        }

        var (ann, annId) = treated[0];
        var (bob, bobId) = treated[1];
        foreach (var user in new[] { ann, bob })
        {
            (await _api.Writer.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Product Added", properties = new { product_id = "lamp", price = 20, quantity = 1 } })).EnsureSuccessStatusCode();
        }

        await RunAsync();
        _api.Clock.Advance(TimeSpan.FromMinutes(20));
        (await _api.Writer.PostAsJsonAsync("/v1/track", new { userId = bob, @event = "Order Completed", properties = new { order_id = "o-bob", total = 20, currency = "GBP", products = new[] { new { product_id = "lamp", price = 20, quantity = 1 } } } })).EnsureSuccessStatusCode();
        await RunAsync();
        _api.Clock.Advance(TimeSpan.FromMinutes(45));
        await RunAsync();

        var mail = SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1)));
        Assert.Equal($"{ann}@example.com", mail.To.Mailboxes.Single().Address);
        Assert.StartsWith("You left something in your cart", mail.Subject, StringComparison.Ordinal);

        var enrolments = (await _api.Admin.GetFromJsonAsync<JsonArray>($"/v1/journeys/{journey}/enrolments"))!;
        var byCustomer = enrolments.ToDictionary(e => e!["customerId"]!.GetValue<long>(), e => e!);
        Assert.Equal("converted", byCustomer[bobId]["status"]!.GetValue<string>());
        Assert.Equal("active", byCustomer[annId]["status"]!.GetValue<string>()); // now waiting a day for the last call
        Assert.Equal("wait-1d", byCustomer[annId]["step"]!.GetValue<string>());
        var stats = (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/journeys/{journey}/stats"))!;
        Assert.Equal(2, stats["treated"]!["enrolled"]!.GetValue<long>());
        Assert.Equal(1, stats["treated"]!["converted"]!.GetValue<long>());
        Assert.Equal(1, stats["treated"]!["messagesQueued"]!.GetValue<long>());
        Assert.Equal(0, stats["control"]!["enrolled"]!.GetValue<long>());
        var steps = (await _api.Admin.GetFromJsonAsync<JsonArray>($"/v1/journeys/{journey}/enrolments/{byCustomer[annId]["id"]}/steps"))!;
        Assert.Contains(steps, s => s!["step"]!.GetValue<string>() == "reminder" && s["outcome"]!.GetValue<string>() == "queued");
        var timeline = await _api.Admin.GetStringAsync($"/v1/customers/{annId}/timeline?limit=100");
        Assert.Contains("Journey Step", timeline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadDefinitions_Are400ProblemsNamingTheStepAndTheFix()
    {
        var loop = await _api.Admin.PostAsJsonAsync("/v1/journeys/validate", JsonNode.Parse("""
            {"name": "Loop", "trigger": {"event": "X"}, "steps": [
              {"id": "a", "type": "condition", "if": "value.orders >= 1", "then": "b", "else": "b"},
              {"id": "b", "type": "exit"}, {"id": "c", "type": "fax", "next": "a"}]}
            """));
        var missing = await _api.Admin.PostAsJsonAsync("/v1/journeys", JsonNode.Parse("""
            {"name": "Missing", "trigger": {"event": "X"}, "steps": [{"id": "mail", "type": "send", "template": "nope"}]}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, loop.StatusCode);
        var problem = (await loop.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Invalid journey", problem["title"]!.GetValue<string>());
        Assert.Contains(problem["errors"]!.AsArray(), e => e!["step"]!.GetValue<string>() == "c" && e["message"]!.GetValue<string>().Contains("'fax' is not a step type", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("PUT /v1/templates/nope", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await _api.Admin.GetFromJsonAsync<JsonArray>("/v1/journeys"))!); // nothing saved
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Admin.PostAsync("/v1/journeys/library/nope", null)).StatusCode);
    }

    [Fact]
    public async Task EveryReadyMadeJourney_Installs()
    {
        var library = (await _api.Admin.GetFromJsonAsync<JsonArray>("/v1/journeys/library"))!;
        Assert.Equal(6, library.Count);
        foreach (var item in library)
        {
            var reply = await _api.Admin.PostAsync($"/v1/journeys/library/{item!["key"]}", null);
            Assert.True(reply.StatusCode == HttpStatusCode.Created, $"{item["key"]}: {await reply.Content.ReadAsStringAsync()}");
        }

        var journeys = (await _api.Admin.GetFromJsonAsync<JsonArray>("/v1/journeys"))!;
        Assert.All(journeys, j => Assert.Equal("draft", j!["status"]!.GetValue<string>()));
        var id = journeys[0]!["id"]!.GetValue<long>();
        Assert.Equal("active", (await (await _api.Admin.PostAsync($"/v1/journeys/{id}/activate", null)).Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        Assert.Equal("paused", (await (await _api.Admin.PostAsync($"/v1/journeys/{id}/pause", null)).Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheServersOwnLoop_EnrolsAndSends_WithoutBeingAsked()
    {
        (await _api.Admin.PutAsJsonAsync("/v1/templates/hello", new { subject = "Hello {{customer.firstName}}", text = "Welcome. {{links.unsubscribe}}" })).EnsureSuccessStatusCode();
        var created = await _api.Admin.PostAsJsonAsync("/v1/journeys?status=active", JsonNode.Parse("""
            {"name": "Hello", "trigger": {"event": "Signed Up"}, "controlGroup": 0, "steps": [{"type": "send", "template": "hello"}]}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await CustomerAsync("dan");
        (await _api.Writer.PostAsJsonAsync("/v1/track", new { userId = "dan", @event = "Signed Up" })).EnsureSuccessStatusCode();

        // The loop sleeps on the (fake) clock between rounds: let seconds pass until the mail arrives.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (_smtp.Messages().Count == 0 && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            _api.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }

        Assert.Equal("Hello dan", SmtpSink.Parse(Assert.Single(await _smtp.WaitForAsync(1))).Subject);
    }

    private async Task RunAsync() => (await _api.Admin.PostAsync("/v1/journeys/run", null)).EnsureSuccessStatusCode();

    private async Task<long> CustomerAsync(string user)
    {
        var reply = await _api.Writer.PostAsJsonAsync("/v1/identify", new { userId = user, traits = new { email = $"{user}@example.com", firstName = user, consent_email_marketing = true } });
        reply.EnsureSuccessStatusCode();
        return (await _api.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={user}"))!["id"]!.GetValue<long>();
    }
}
