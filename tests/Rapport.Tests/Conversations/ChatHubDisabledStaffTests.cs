using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Rapport.Tests.Http;

namespace Rapport.Tests.Conversations;

/// <summary>A disabled account manager over real SignalR: offline at once, skipped by routing, refused as a speaker.</summary>
public sealed partial class ChatHubTests
{
    [Fact]
    public async Task DisablingAManager_EndsTheirChatConnection_RoutesTheirCustomerToTheQueue_AndRefusesTheirAnswers()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await ConversationApiTests.CustomerAsync(s, "ada", "ada@example.com");
        var grace = (await ConversationApiTests.CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var alan = (await ConversationApiTests.CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Alan" })))["id"]!.GetValue<long>();
        (await s.Admin.PutAsJsonAsync($"/v1/customers/{ada}/manager", new { staffId = grace })).EnsureSuccessStatusCode();
        var (graceHub, _) = await ConnectAsync(s, $"/dashboard/chat/hub?staffId={grace}", s.AdminKey);
        var graceClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graceHub.Closed += _ => { graceClosed.TrySetResult(); return Task.CompletedTask; };
        var (alanHub, toAlan) = await ConnectAsync(s, $"/dashboard/chat/hub?staffId={alan}", s.AdminKey);
        await OnlineAsync(s, grace, alan);
        await using (graceHub)
        await using (alanHub)
        {
            using var disabled = await s.Admin.PatchAsJsonAsync($"/v1/staff/{grace}", new { disabled = true });
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
            var member = (await disabled.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.True(member["disabled"]!.GetValue<bool>());
            Assert.False(member["online"]!.GetValue<bool>()); // offline at once, not when her tab closes
            await graceClosed.Task.WaitAsync(Wait); // the server ended her connection

            var (adaHub, _) = await ConnectAsync(s, $"/chat/hub?token={await TokenAsync(s, "ada")}", s.WriteKey);
            await using (adaHub)
            {
                await adaHub.InvokeAsync<long>("Send", "Is anyone there?");
                var atAlan = await NextAsync(toAlan);
                Assert.Equal(ada, atAlan["customerId"]!.GetValue<long>());
                Assert.Null(atAlan["assignedStaffId"]); // the queue, not the disabled manager
                var threadId = atAlan["threadId"]!.GetValue<long>();

                using var answer = await s.Admin.PostAsJsonAsync($"/v1/conversations/{threadId}/messages", new { body = "Hi", staffId = grace });
                Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
                Assert.Contains("disabled", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Her customers still show her, marked, so someone can take them over.
            var manager = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/manager"))!["manager"]!;
            Assert.Equal(grace, manager["id"]!.GetValue<long>());
            Assert.True(manager["disabled"]!.GetValue<bool>());
            // Connecting again is refused.
            await RefusedAsync(s, $"/dashboard/chat/hub?staffId={grace}", s.AdminKey);
        }
    }
}
