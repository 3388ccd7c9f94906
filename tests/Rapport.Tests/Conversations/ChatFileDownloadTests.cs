using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Rapport.Tests.Http;
using static Rapport.Tests.Conversations.ConversationApiTests;

namespace Rapport.Tests.Conversations;

/// <summary>A file staff send in the chat reaches the visitor as a signed, expiring link scoped to their conversation (real SignalR and HTTP).</summary>
public sealed partial class AttachmentApiTests
{
    [Fact]
    public async Task StaffFileInTheChat_TheVisitorDownloadsIt_AnotherVisitorGets404_AnExpiredLinkSays410_SmsRefusesFiles()
    {
        await using var s = await ApiServer.StartAsync();
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();
        var toVisitor = Channel.CreateUnbounded<JsonObject>();
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(s.Address, "/chat/hub?anonymousId=visitor-7"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(s.WriteKey))
            .Build();
        hub.On<JsonObject>("message", m => toVisitor.Writer.TryWrite(m));
        await using (hub)
        {
            await hub.StartAsync();
            await hub.InvokeAsync<long>("Send", "Could you send me the manual?");
            var threadId = (await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))["threadId"]!.GetValue<long>();

            await CreatedAsync(s.Admin.PostAsync($"/v1/conversations/{threadId}/attachments",
                Form(("staffId", staffId.ToString(CultureInfo.InvariantCulture)), ("channel", "chat"), ("body", "Here it is."), File("manual.pdf", "application/pdf", Pdf))));
            var answer = await toVisitor.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var file = answer["files"]![0]!;
            Assert.Equal("manual.pdf", file["fileName"]!.GetValue<string>());
            var url = file["url"]!.GetValue<string>();
            Assert.StartsWith("/chat/files/", url, StringComparison.Ordinal);

            using var anyone = s.Client(null);
            using (var mine = await anyone.GetAsync(url + "&anonymousId=visitor-7"))
            {
                Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
                Assert.Equal(Pdf, await mine.Content.ReadAsByteArrayAsync());
                Assert.Equal("attachment", mine.Content.Headers.ContentDisposition?.DispositionType);
            }

            // Another visitor with the same link, no visitor at all, a tampered signature: the same 404.
            await ProblemAsync(anyone.GetAsync(url + "&anonymousId=visitor-8"), HttpStatusCode.NotFound, "no such file in your chat");
            await ProblemAsync(anyone.GetAsync(url), HttpStatusCode.NotFound, "no such file in your chat");
            var at = url.Length - 4; // one signature character changed for certain ("0000" is no change when it already ends so)
            await ProblemAsync(anyone.GetAsync(url[..at] + (url[at] == '0' ? '1' : '0') + url[(at + 1)..] + "&anonymousId=visitor-7"), HttpStatusCode.NotFound, "no such file in your chat");

            s.Clock.Advance(TimeSpan.FromHours(25));
            await ProblemAsync(anyone.GetAsync(url + "&anonymousId=visitor-7"), HttpStatusCode.Gone, "Open the chat again");
            // Opening the chat again (History) gives a fresh link that works.
            var history = await hub.InvokeAsync<JsonArray>("History");
            var fresh = history.Single(m => m!["body"]!.GetValue<string>() == "Here it is.")!["files"]![0]!["url"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync(fresh + "&anonymousId=visitor-7")).StatusCode);

            // A text cannot carry the file: refused with the reason, nothing stored.
            await ProblemAsync(s.Admin.PostAsync($"/v1/conversations/{threadId}/attachments",
                Form(("staffId", staffId.ToString(CultureInfo.InvariantCulture)), ("channel", "sms"), File("manual.pdf", "application/pdf", Pdf))), HttpStatusCode.BadRequest, "MMS is not supported");
            Assert.Equal(2, (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!["messages"]!.AsArray().Count);
        }
    }
}
