using System.Security.Cryptography;
using Dapper;
using Rapport.Core.Conversations;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Messaging;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Conversations;

/// <summary>Files in staff answers reach the customer: email MIME parts at a real SMTP server; SMS refuses them. Both stores.</summary>
public sealed class AnswerFileDeliveryTests
{
    [Theory, BothStores]
    public async Task AnEmailAnswer_CarriesTheStaffsFiles_AsMimeParts_WithTheSameBytes(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ada = await h.CustomerAsync("ada", "ada@example.com", "Ada");
        var grace = await new StaffDirectory(h.Core.Writer, h.Core.Db, h.Core.Clock).AddAsync("Grace", null);
        var service = new ConversationService(h.Core.Writer, h.Core.Events, h.Core.Identity, [], [new EmailDelivery(h.Outbox)]);
        var pdf = RandomNumberGenerator.GetBytes(40_000); // binary: base64 in the MIME part, must come back byte for byte
        var note = "Receipt for order 42\r\n"u8.ToArray();

        await service.AppendAsync(ada, new NewMessage(Direction.Out, ConversationChannels.Email, "Here are your documents.", grace.Id, Subject: "Your order",
            Attachments: [new NewAttachment("invoice.pdf", "application/pdf", pdf), new NewAttachment("receipt.txt", "text/plain", note)]));
        var transport = new SmtpTransport(
            new SmtpOptions("127.0.0.1", h.Smtp.Port, "shop@rapport.test") { Timeout = TimeSpan.FromSeconds(5) }, h.Links, new ConversationEmailParts(h.Core.Db));
        await using (transport)
        {
            Assert.Equal(1, await h.Dispatcher.RunOnceAsync(transport));
        }

        var received = SmtpSink.Parse(Assert.Single(await h.Smtp.WaitForAsync(1)));
        Assert.Equal("ada@example.com", received.To.Mailboxes.Single().Address);
        Assert.Contains("Here are your documents.", received.TextBody, StringComparison.Ordinal);
        var parts = received.Attachments.OfType<MimeKit.MimePart>().ToList();
        Assert.Equal(["invoice.pdf", "receipt.txt"], parts.Select(p => p.FileName));
        Assert.Equal("application/pdf", parts[0].ContentType.MimeType);
        Assert.Equal(pdf, Bytes(parts[0]));
        Assert.Equal(note, Bytes(parts[1]));
    }

    [Theory, BothStores]
    public async Task AnSmsAnswerWithAFile_IsRefusedWithAClearMessage_AndNothingIsStoredOrQueued(StoreKind store)
    {
        await using var h = await MessagingHarness.CreateAsync(store);
        var ada = await h.CustomerAsync("ada", "ada@example.com", "Ada");
        var grace = await new StaffDirectory(h.Core.Writer, h.Core.Db, h.Core.Clock).AddAsync("Grace", null);
        var service = new ConversationService(h.Core.Writer, h.Core.Events, h.Core.Identity, [], [new SmsDelivery(h.Outbox)]);

        var refused = await Assert.ThrowsAsync<ConversationException>(() => service.AppendAsync(ada, new NewMessage(
            Direction.Out, ConversationChannels.Sms, "See the photo", grace.Id, Attachments: [new NewAttachment("lamp.png", "image/png", [1, 2, 3])])));

        Assert.Equal("No files by SMS", refused.Title);
        Assert.Contains("MMS is not supported", refused.Message, StringComparison.Ordinal);
        await using var c = await h.Core.Db.OpenAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_messages"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM conversation_attachments"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox"));
    }

    private static byte[] Bytes(MimeKit.MimePart part)
    {
        using var s = new MemoryStream();
        part.Content!.DecodeTo(s);
        return s.ToArray();
    }
}
