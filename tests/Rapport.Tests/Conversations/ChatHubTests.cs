using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Rapport.Tests.Http;

namespace Rapport.Tests.Conversations;

/// <summary>The live chat with real SignalR .NET clients (a visitor and staff) over loopback HTTP: routing, persistence, answers.</summary>
public sealed partial class ChatHubTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReturningCustomersChat_GoesToTheirOnlineManager_IsStoredFirst_AndTheAnswerReachesTheVisitor()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await ConversationApiTests.CustomerAsync(s, "ada", "ada@example.com");
        var bob = await ConversationApiTests.CustomerAsync(s, "bob", "bob@example.com");
        var grace = (await ConversationApiTests.CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var alan = (await ConversationApiTests.CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Alan" })))["id"]!.GetValue<long>();
        foreach (var customer in new[] { ada, bob })
        {
            using var assigned = await s.Admin.PutAsJsonAsync($"/v1/customers/{customer}/manager", new { staffId = grace });
            assigned.EnsureSuccessStatusCode();
        }

        var (graceHub, toGrace) = await ConnectAsync(s, $"/dashboard/chat/hub?staffId={grace}", s.AdminKey);
        var (alanHub, toAlan) = await ConnectAsync(s, $"/dashboard/chat/hub?staffId={alan}", s.AdminKey);
        // The handshake ends before the hub's OnConnectedAsync has run: wait until both show online.
        await OnlineAsync(s, grace, alan);
        var (adaHub, toAda) = await ConnectAsync(s, $"/chat/hub?token={await TokenAsync(s, "ada")}", s.WriteKey);
        await using (graceHub)
        await using (alanHub)
        await using (adaHub)
        {
            var sentId = await adaHub.InvokeAsync<long>("Send", "Hello, is my order on its way?");

            // Grace is Ada's manager and online: the chat is hers, and only hers.
            var atGrace = await NextAsync(toGrace);
            Assert.Equal(sentId, atGrace["id"]!.GetValue<long>());
            Assert.Equal(grace, atGrace["assignedStaffId"]!.GetValue<long>());
            Assert.Equal(ada, atGrace["customerId"]!.GetValue<long>());
            var threadId = atGrace["threadId"]!.GetValue<long>();

            // Stored (thread and timeline) before anyone saw it.
            var thread = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!;
            Assert.Equal("Hello, is my order on its way?", Assert.Single(thread["messages"]!.AsArray())!["body"]!.GetValue<string>());
            Assert.Equal("Grace", thread["thread"]!["assignedStaffName"]!.GetValue<string>());
            var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/timeline"))!;
            Assert.Contains(timeline["items"]!.AsArray(), e => e!["name"]?.GetValue<string>() == "Conversation Message Received");

            // Grace answers over the hub; Ada's client receives it (after her own echo).
            Assert.Equal(sentId, (await NextAsync(toAda))["id"]!.GetValue<long>());
            var answerId = await graceHub.InvokeAsync<long>("Reply", threadId, "Yes, it arrives tomorrow.");
            var atAda = await NextAsync(toAda);
            Assert.Equal(answerId, atAda["id"]!.GetValue<long>());
            Assert.Equal("out", atAda["direction"]!.GetValue<string>());
            Assert.Equal("Grace", atAda["staffName"]!.GetValue<string>());
            Assert.Equal(2, (await adaHub.InvokeAsync<JsonArray>("History")).Count);

            // Grace goes offline: Bob (also hers) lands in the shared queue, which Alan sees.
            await graceHub.StopAsync();
            await PresenceAsync(s, false, grace);
            var (bobHub, _) = await ConnectAsync(s, $"/chat/hub?token={await TokenAsync(s, "bob")}", s.WriteKey);
            await using (bobHub)
            {
                await bobHub.InvokeAsync<long>("Send", "Hi, anyone?");
                var atAlan = await NextAsync(toAlan);
                Assert.Equal(bob, atAlan["customerId"]!.GetValue<long>());
                Assert.Null(atAlan["assignedStaffId"]);
            }

            // Alan never saw Ada's chat, which was Grace's.
            while (toAlan.TryRead(out var seen))
            {
                Assert.NotEqual(ada, seen["customerId"]!.GetValue<long>());
            }

            var unassigned = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/conversations?assigned=unassigned"))!;
            Assert.Equal(bob, Assert.Single(unassigned)!["customerId"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task VisitorsWithoutAKey_WithABareUserId_OrAForgedOrExpiredToken_AreTurnedAway()
    {
        await using var s = await ApiServer.StartAsync();
        await ConversationApiTests.CustomerAsync(s, "ada", "ada@example.com");
        var good = await TokenAsync(s, "ada");
        var parts = good.Split('.');
        var forged = $"{Convert.ToBase64String("bob"u8.ToArray()).TrimEnd('=')}.{parts[1]}.{parts[2]}";

        await RefusedAsync(s, "/chat/hub?anonymousId=v1", "not-a-key");
        await RefusedAsync(s, "/chat/hub?userId=ada", s.WriteKey); // the write key is public: a bare userId could be anyone
        await RefusedAsync(s, $"/chat/hub?token={forged}", s.WriteKey);
        s.Clock.Advance(TimeSpan.FromHours(25));
        await RefusedAsync(s, $"/chat/hub?token={good}", s.WriteKey);

        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/conversations"))!);
        using var bad = await s.Admin.PostAsJsonAsync("/v1/chat/tokens", new { userId = "ada", minutes = 0 });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }

    internal static async Task<string> TokenAsync(ApiServer s, string userId)
    {
        using var reply = await s.Admin.PostAsJsonAsync("/v1/chat/tokens", new { userId });
        reply.EnsureSuccessStatusCode();
        return Uri.EscapeDataString((await reply.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>());
    }

    private static async Task RefusedAsync(ApiServer s, string path, string key)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hub = new HubConnectionBuilder().WithUrl(new Uri(s.Address, path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key)).Build();
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await using (hub)
        {
            try
            {
                await hub.StartAsync();
                var error = await closed.Task.WaitAsync(Wait);
                Assert.NotNull(error); // closed by the server with the reason
            }
            catch (Exception e) when (e is not TimeoutException and not Xunit.Sdk.XunitException)
            {
                // Refused during the handshake: also turned away.
            }

            Assert.Equal(HubConnectionState.Disconnected, hub.State);
        }
    }

    private static async Task<(HubConnection Hub, ChannelReader<JsonObject> Messages)> ConnectAsync(ApiServer s, string path, string key)
    {
        var messages = Channel.CreateUnbounded<JsonObject>();
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(s.Address, path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key))
            .Build();
        hub.On<JsonObject>("message", m => messages.Writer.TryWrite(m));
        await hub.StartAsync();
        return (hub, messages.Reader);
    }

    private static Task OnlineAsync(ApiServer s, params long[] staff) => PresenceAsync(s, true, staff);

    private static async Task PresenceAsync(ApiServer s, bool online, params long[] staff)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var list = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/staff"))!;
            if (staff.All(id => list.Any(m => m!["id"]!.GetValue<long>() == id && m["online"]!.GetValue<bool>() == online)))
            {
                return;
            }

            Assert.True(waited.Elapsed < Wait, $"staff {string.Join(", ", staff)} never became {(online ? "online" : "offline")}");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonObject> NextAsync(ChannelReader<JsonObject> messages) =>
        await messages.ReadAsync().AsTask().WaitAsync(Wait);
}
