using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.Core.Conversations;
using Rapport.Tests.Http;
using static Rapport.Tests.Conversations.ConversationApiTests;

namespace Rapport.Tests.Conversations;

/// <summary>Files in conversations over real loopback HTTP: staff and visitor uploads, limits (413/415), downloads as attachments, inbound email MIME, the data export.</summary>
public sealed partial class AttachmentApiTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4 the invoice\n%%EOF");

    [Fact]
    public async Task StaffAndVisitorFiles_AreListed_DownloadOnlyAsAttachments_AndLimitsAreClearProblems()
    {
        await using var s = await ApiServer.StartAsync(configure: services => services.AddSingleton(new AttachmentOptions { MaxBytes = 4096 }));
        var staffId = (await CreatedAsync(s.Admin.PostAsJsonAsync("/v1/staff", new { name = "Grace" })))["id"]!.GetValue<long>();

        // A chat visitor sends a file with the site's write key and their anonymous id.
        using var visitor = new HttpClient { BaseAddress = s.Address };
        visitor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", s.WriteKey);
        var sent = await CreatedAsync(visitor.PostAsync("/chat/attachments?anonymousId=visitor-7", Form(("text", "My invoice is wrong"), File("invoice.pdf", "application/pdf", Pdf))));
        var threadId = sent["threadId"]!.GetValue<long>();
        var attachmentId = sent["attachments"]![0]!["id"]!.GetValue<long>();

        var thread = (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!;
        var listed = thread["messages"]![0]!["attachments"]![0]!;
        Assert.Equal("invoice.pdf", listed["fileName"]!.GetValue<string>());
        Assert.Equal(Pdf.Length, listed["size"]!.GetValue<long>());
        Assert.Equal("My invoice is wrong", thread["messages"]![0]!["body"]!.GetValue<string>());

        using (var download = await s.Admin.GetAsync($"/v1/attachments/{attachmentId}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("invoice.pdf", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        }

        // Staff answer with a file.
        var answer = await CreatedAsync(s.Admin.PostAsync($"/v1/conversations/{threadId}/attachments",
            Form(("staffId", staffId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("body", "Here is the corrected one."), File("corrected.pdf", "application/pdf", Pdf))));
        Assert.Equal("out", answer["message"]!["direction"]!.GetValue<string>());
        Assert.Equal("corrected.pdf", answer["message"]!["attachments"]![0]!["fileName"]!.GetValue<string>());

        // Bad input: too large (413), not allowed (415), not multipart (415), no key (401), no visitor (401), someone else's download needs the admin key.
        await ProblemAsync(visitor.PostAsync("/chat/attachments?anonymousId=visitor-7", Form(File("big.pdf", "application/pdf", new byte[5000]))), HttpStatusCode.RequestEntityTooLarge, "at most 4,096");
        await ProblemAsync(visitor.PostAsync("/chat/attachments?anonymousId=visitor-7", Form(File("page.html", "text/html", "<script>x</script>"u8.ToArray()))), HttpStatusCode.UnsupportedMediaType, "text/html");
        await ProblemAsync(visitor.PostAsJsonAsync("/chat/attachments?anonymousId=visitor-7", new { file = "x" }), HttpStatusCode.UnsupportedMediaType, "multipart/form-data");
        await ProblemAsync(s.Client(null).PostAsync("/chat/attachments?anonymousId=visitor-7", Form(File("a.pdf", "application/pdf", Pdf))), HttpStatusCode.Unauthorized, "write key");
        await ProblemAsync(visitor.PostAsync("/chat/attachments?token=forged", Form(File("a.pdf", "application/pdf", Pdf))), HttpStatusCode.Unauthorized, "visitor token");
        await ProblemAsync(s.Writer.GetAsync($"/v1/attachments/{attachmentId}"), HttpStatusCode.Forbidden, "admin key");
        await ProblemAsync(s.Admin.GetAsync("/v1/attachments/999999"), HttpStatusCode.NotFound, "no attachment 999999");
        await ProblemAsync(s.Admin.PostAsync($"/v1/conversations/{threadId}/attachments", Form(File("a.pdf", "application/pdf", Pdf))), HttpStatusCode.BadRequest, "staffId");
        // The refused files were not stored: still the two messages.
        Assert.Equal(2, (await s.Admin.GetFromJsonAsync<JsonObject>($"/v1/conversations/{threadId}"))!["messages"]!.AsArray().Count);
    }

    [Fact]
    public async Task AnEmailsAttachments_AreKept_AndInTheCustomersDataExport()
    {
        await using var s = await ApiServer.StartAsync();
        var ada = await CustomerAsync(s, "ada", "ada@example.com");
        const string raw = "From: Ada <ada@example.com>\r\nTo: hello@shop.example\r\nSubject: Receipt\r\nMessage-ID: <att1@mail.example>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMy receipt is attached.\r\n"
            + "--b1\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + "JVBERi0xLjQgdGhlIGludm9pY2UKJSVFT0Y=\r\n--b1--\r\n";
        var stored = await CreatedAsync(s.Admin.PostAsync("/v1/inbound/email", new StringContent(raw, Encoding.UTF8, "message/rfc822")));
        Assert.Equal("My receipt is attached.", stored["message"]!["body"]!.GetValue<string>());
        var file = stored["message"]!["attachments"]![0]!;
        Assert.Equal("receipt.pdf", file["fileName"]!.GetValue<string>());
        using (var download = await s.Admin.GetAsync($"/v1/attachments/{file["id"]}"))
        {
            Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        }

        var link = (await CreatedOrOkAsync(s.Admin.PostAsync($"/v1/customers/{ada}/preference-link", null)))["url"]!.GetValue<string>();
        var export = (await s.Client(null).GetFromJsonAsync<JsonObject>(new Uri(link).AbsolutePath + "/export"))!;
        var exported = export["conversations"]![0]!["messages"]![0]!["attachments"]![0]!;
        Assert.Equal("receipt.pdf", exported["fileName"]!.GetValue<string>());
        Assert.Equal(Pdf, Convert.FromBase64String(exported["contentBase64"]!.GetValue<string>()));
    }

    private static async Task<JsonObject> CreatedOrOkAsync(Task<HttpResponseMessage> sending)
    {
        using var reply = await sending;
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.IsSuccessStatusCode, $"{reply.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    internal static (string Name, HttpContent Content) File(string name, string type, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = $"\"{name}\"" };
        return ("file", content);
    }

    private static MultipartFormDataContent Form(params object[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var part in parts)
        {
            switch (part)
            {
                case (string name, string value):
                    form.Add(new StringContent(value), name);
                    break;
                case (string _, HttpContent content):
                    form.Add(content);
                    break;
            }
        }

        return form;
    }
}
