using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using MimeKit;
using Rapport.Core.Conversations;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Conversations;

/// <summary>Files kept with messages, on both stores: stored with size and sha256, listed, limits, inbound email MIME parts, the customer's export.</summary>
public sealed class AttachmentTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4 a receipt for the blue lamp\n%%EOF");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 0, 255];

    [Theory, BothStores]
    public async Task FilesWithAMessage_AreStored_Listed_AndReadBackByteForByte(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, files) = Services(h);
        var who = Identifier.Normalize(Identifier.AnonymousId, "visitor-1");

        var stored = await service.AppendAsync(who, new NewMessage(Direction.In, ConversationChannels.Chat, "",
            Attachments: [new NewAttachment("C:\\Users\\me\\receipt.pdf", "Application/PDF; name=receipt.pdf", Pdf), new NewAttachment("photo.png", "image/png", Png)]));

        Assert.Equal("(receipt.pdf, photo.png)", stored.Message.Body); // files alone still make a message
        Assert.Equal(["receipt.pdf", "photo.png"], stored.Message.Attachments.Select(a => a.FileName));
        var listed = Assert.Single(await queries.MessagesAsync(stored.Thread.Id)).Attachments;
        Assert.Equal("application/pdf", listed[0].ContentType);
        Assert.Equal(Pdf.Length, listed[0].Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf)), listed[0].Sha256);
        var png = (await files.GetAsync(listed[1].Id))!;
        Assert.Equal(Png, png.Content);
        Assert.Equal(stored.Thread.Id, png.ThreadId);
        Assert.Null(await files.GetAsync(999_999));

        var timeline = await h.Customers.TimelineAsync(stored.Thread.CustomerId, 10, null, null, null, null);
        var received = Assert.Single(timeline.Items, e => e.Name == ConversationService.MessageReceived);
        Assert.Equal(["receipt.pdf", "photo.png"], received.Properties!["attachments"]!.AsArray().Select(a => a!["file_name"]!.GetValue<string>()));

        var export = await ConversationExport.ForCustomerAsync(h.Db, stored.Thread.CustomerId);
        var exported = Assert.Single(Assert.Single(Assert.Single(export).Messages).Attachments, a => a.FileName == "receipt.pdf");
        Assert.Equal(Pdf, Convert.FromBase64String(exported.ContentBase64));
    }

    [Theory, BothStores]
    public async Task FilesOverTheLimits_AreRefused_413And415_AndNothingIsStored(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var limits = new AttachmentOptions { MaxBytes = 1024 };
        var service = new ConversationService(h.Writer, h.Events, h.Identity, [], [], limits);
        var who = Identifier.Normalize(Identifier.AnonymousId, "visitor-2");

        var big = await Assert.ThrowsAsync<ConversationException>(() => service.AppendAsync(who, new NewMessage(Direction.In, ConversationChannels.Chat, "big",
            Attachments: [new NewAttachment("scan.pdf", "application/pdf", new byte[1025])])));
        Assert.Equal(413, big.Status);
        Assert.Contains("at most 1,024", big.Message, StringComparison.Ordinal);
        var html = await Assert.ThrowsAsync<ConversationException>(() => service.AppendAsync(who, new NewMessage(Direction.In, ConversationChannels.Chat, "page",
            Attachments: [new NewAttachment("page.html", "text/html", "<script>alert(1)</script>"u8.ToArray())])));
        Assert.Equal(415, html.Status);
        Assert.Contains("application/pdf", html.Message, StringComparison.Ordinal);

        await using var c = await h.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_messages"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_attachments"));
    }

    [Theory, BothStores]
    public async Task AnInboundEmail_KeepsItsAttachments_AndSaysWhichWereNotKept(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (service, queries, files) = Services(h);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ada@example.com" }, user: "ada"));
        var builder = new BodyBuilder { TextBody = "Here is the photo of the broken lamp.\n\nOn Mon, 1 Jun 2026, Shop wrote:\n> order shipped" };
        builder.Attachments.Add("lamp.png", Png, new ContentType("image", "png"));
        builder.Attachments.Add("run-me.exe", [0x4D, 0x5A, 0x90], new ContentType("application", "x-msdownload"));
        var mime = new MimeMessage { Subject = "Broken lamp", MessageId = "m-att-1@mail.example", Body = builder.ToMessageBody() };
        mime.From.Add(new MailboxAddress("Ada", "ada@example.com"));
        mime.To.Add(new MailboxAddress("Shop", "shop@shop.example"));
        using var raw = new MemoryStream();
        await mime.WriteToAsync(raw);
        raw.Position = 0;

        var email = await InboundMail.ParseAsync(raw, CancellationToken.None);
        Assert.Equal(2, email.Attachments.Count);
        var stored = await new InboundMail(service, queries).FileAsync(email, CancellationToken.None);

        Assert.Equal(await h.OwnerAsync(Identifier.UserId, "ada"), stored.Thread.CustomerId);
        Assert.StartsWith("Here is the photo of the broken lamp.", stored.Message.Body, StringComparison.Ordinal);
        Assert.Contains("[not kept: run-me.exe (file type not allowed)]", stored.Message.Body, StringComparison.Ordinal);
        var kept = Assert.Single(stored.Message.Attachments);
        Assert.Equal("lamp.png", kept.FileName);
        Assert.Equal(Png, (await files.GetAsync(kept.Id))!.Content);
    }

    private static (ConversationService Service, ConversationQueries Queries, AttachmentStore Files) Services(CoreHarness h)
    {
        h.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        return (new ConversationService(h.Writer, h.Events, h.Identity, [], []), new ConversationQueries(h.Db), new AttachmentStore(h.Db));
    }
}
