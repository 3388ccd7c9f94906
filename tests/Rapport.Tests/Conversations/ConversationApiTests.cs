using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.Tests.Http;

namespace Rapport.Tests.Conversations;

/// <summary>Staff, account managers, store/phone notes, the inbox and inbound email over HTTP on a real loopback server.</summary>
public sealed class ConversationApiTests
{
    [Fact]
    public async Task Notes_ManagerAndInbox_ThroughTheApi()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await CustomerAsync(s, "ada", "ada@example.com");
        var grace = await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace Hopper", email = "grace@shop.example" }));
        var staffId = grace["id"]!.GetValue<long>();

        var note = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/customers/{ada}/conversations/notes",
            new { channel = "store", body = "Asked about the blue lamp; will come back Saturday.", staffId }));
        var threadId = note["thread"]!["id"]!.GetValue<long>();
        Assert.Equal("staff", note["message"]!["authorKind"]!.GetValue<string>());

        using (var manager = await s.Admin.PutAsJsonAsync($"/v1/customers/{ada}/manager", new { staffId }))
        {
            Assert.Equal(HttpStatusCode.OK, manager.StatusCode);
        }

        Assert.Equal("Grace Hopper", (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/manager"))!["manager"]!["name"]!.GetValue<string>());
        var threads = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{ada}/conversations"))!;
        Assert.Equal(threadId, Assert.Single(threads)!["id"]!.GetValue<long>());
        var inbox = (await s.Admin.GetFromJsonAsync<JsonArray>("/v1/conversations?assigned=unassigned"))!;
        Assert.Equal(threadId, Assert.Single(inbox)!["id"]!.GetValue<long>());
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/timeline"))!;
        var noted = timeline["items"]!.AsArray().Single(e => e!["name"]?.GetValue<string>() == "Conversation Note Added")!;
        Assert.Equal("store", noted["channel"]!.GetValue<string>());

        using (var close = await s.Admin.PostAsync($"/v1/conversations/{threadId}/close", null))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>("/v1/conversations"))!);
        using (var unassign = await s.Admin.DeleteAsync($"/v1/customers/{ada}/manager"))
        {
            Assert.Equal(HttpStatusCode.NoContent, unassign.StatusCode);
        }

        Assert.Null((await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/manager"))!["manager"]);
    }

    [Fact]
    public async Task BadInput_ProblemsSayWhatIsWrong()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await CustomerAsync(s, "ada", "ada@example.com");
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();

        await ProblemAsync(s.Admin.PostAsJsonAsync($"/v1/customers/{ada}/conversations/notes", new { channel = "fax", body = "x", staffId }), HttpStatusCode.BadRequest, "store, phone");
        await ProblemAsync(s.Admin.PostAsJsonAsync($"/v1/customers/{ada}/conversations/notes", new { channel = "phone", body = "x" }), HttpStatusCode.BadRequest, "staffId");
        await ProblemAsync(s.Admin.PostAsJsonAsync($"/v1/customers/{ada}/conversations/notes", new { channel = "phone", body = " ", staffId }), HttpStatusCode.BadRequest, "no text");
        await ProblemAsync(s.Admin.PostAsJsonAsync("/v1/customers/99999/conversations/notes", new { channel = "phone", body = "hello", staffId }), HttpStatusCode.NotFound, "no customer 99999");
        await ProblemAsync(s.Admin.PutAsJsonAsync($"/v1/customers/{ada}/manager", new { staffId = 4242 }), HttpStatusCode.BadRequest, "no staff member 4242");
        await ProblemAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "" }), HttpStatusCode.BadRequest, "needs a name");
        await ProblemAsync(s.Admin.GetAsync("/v1/conversations?assigned=everyone"), HttpStatusCode.BadRequest, "unassigned");
        await ProblemAsync(s.Admin.PostAsJsonAsync("/v1/conversations/777/messages", new { body = "hi", staffId }), HttpStatusCode.NotFound, "no conversation thread 777");
        await ProblemAsync(s.Admin.PostAsync("/v1/inbound/email", new StringContent("{\"from\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "not valid JSON");
        await ProblemAsync(s.Admin.PostAsJsonAsync("/v1/inbound/email", new { subject = "hi", text = "hello" }), HttpStatusCode.BadRequest, "no From");
        await ProblemAsync(s.Writer.PostAsJsonAsync($"/v1/customers/{ada}/conversations/notes", new { channel = "phone", body = "x", staffId }), HttpStatusCode.Forbidden, "admin key");
        // Nothing of the refused requests was stored.
        Assert.Empty((await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/customers/{ada}/conversations"))!);
    }

    [Fact]
    public async Task InboundEmail_RawAndJson_FindTheCustomer_StoreOnce_AndAStaffAnswerGoesOutWithTheToken()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await CustomerAsync(s, "ada", "ada@example.com");
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        const string raw = "From: Ada Lovelace <ada@example.com>\r\nTo: hello@shop.example\r\nSubject: Delivery date\r\nMessage-ID: <r1@mail.example>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhen will my lamp arrive?\r\n";

        var first = await s.Admin.PostAsync("/v1/inbound/email", new StringContent(raw, Encoding.UTF8, "message/rfc822"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var stored = (await first.Content.ReadFromJsonAsync<JsonObject>())!;
        var thread = stored["thread"]!;
        Assert.Equal(ada, thread["customerId"]!.GetValue<long>());
        Assert.Equal("When will my lamp arrive?", stored["message"]!["body"]!.GetValue<string>());
        using (var again = await s.Admin.PostAsync("/v1/inbound/email", new StringContent(raw, Encoding.UTF8, "message/rfc822")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // Grace answers by email: the outbox holds it with the thread's token in the subject.
        var answer = await CreatedAsync(s.Admin.PostAsJsonAsync($"/v1/conversations/{thread["id"]}/messages", new { body = "On Thursday.", staffId }));
        Assert.Equal("email", answer["message"]!["channel"]!.GetValue<string>());
        var token = thread["token"]!.GetValue<string>();
        var outbox = (await s.Admin.GetFromJsonAsync<JsonArray>($"/v1/outbox?customer={ada}"))!;
        Assert.Equal($"Re: Delivery date [ref:{token}]", Assert.Single(outbox)!["subject"]!.GetValue<string>());

        // Ada answers from another address, as JSON a provider posts: the token finds the thread.
        var reply = await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/inbound/email", new
        {
            from = "ada@work.example", to = new[] { "hello@shop.example" }, subject = $"Re: Delivery date [ref:{token}]",
            text = "Thursday is fine.\n\nOn Tue, Grace wrote:\n> On Thursday.", messageId = "<r2@mail.example>",
        }));
        Assert.Equal(thread["id"]!.GetValue<long>(), reply["thread"]!["id"]!.GetValue<long>());
        Assert.Equal("Thursday is fine.", reply["message"]!["body"]!.GetValue<string>());

        var full = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{thread["id"]}"))!;
        Assert.Equal(["in", "out", "in"], full["messages"]!.AsArray().Select(m => m!["direction"]!.GetValue<string>()));
        var timeline = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/{ada}/timeline"))!;
        Assert.Equal(2, timeline["items"]!.AsArray().Count(e => e!["name"]?.GetValue<string>() == "Email Replied"));
    }

    internal static async Task<long> CustomerAsync(ApiServer s, string userId, string email)
    {
        using var reply = await s.Writer.PostAsJsonAsync("/v1/identify", new { userId, traits = new { email, name = userId } });
        reply.EnsureSuccessStatusCode();
        return (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/customers/lookup?kind=user_id&value={userId}"))!["id"]!.GetValue<long>();
    }

    internal static async Task<JsonObject> CreatedAsync(Task<HttpResponseMessage> sending)
    {
        using var reply = await sending;
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.StatusCode == HttpStatusCode.Created, $"{reply.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    internal static async Task ProblemAsync(Task<HttpResponseMessage> sending, HttpStatusCode status, string says)
    {
        using var reply = await sending;
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.StatusCode == status, $"{reply.StatusCode}: {text}");
        Assert.Contains("application/problem+json", reply.Content.Headers.ContentType?.ToString() ?? "", StringComparison.Ordinal);
        Assert.Contains(says, text, StringComparison.OrdinalIgnoreCase);
    }
}
