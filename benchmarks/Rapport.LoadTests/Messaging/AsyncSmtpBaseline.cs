using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Rapport.Core.Messaging;

namespace Rapport.LoadTests.Messaging;

/// <summary>
/// The session-5 way of sending, kept here to compare against in the same run: async MailKit on
/// the thread pool, a bag of open connections, <c>Parallel.ForEachAsync</c> over them. The MIME
/// message is built as <see cref="SmtpTransport"/> builds it.
/// </summary>
internal static class AsyncSmtpBaseline
{
    public static async Task SendAllAsync(IReadOnlyList<ClaimedMessage> messages, string host, int port, int connections)
    {
        var idle = new ConcurrentBag<SmtpClient>();
        await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (m, ct) =>
        {
            if (!idle.TryTake(out var client))
            {
                client = new SmtpClient();
                await client.ConnectAsync(host, port, SecureSocketOptions.None, ct);
            }

            await client.SendAsync(Build(m), ct);
            idle.Add(client);
        });
        while (idle.TryTake(out var client))
        {
            await client.DisconnectAsync(true);
            client.Dispose();
        }
    }

    private static MimeMessage Build(ClaimedMessage m)
    {
        var message = new MimeMessage
        {
            MessageId = $"{m.Id}.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Key)))[..16]}@rapport",
            Subject = m.Subject,
        };
        message.From.Add(new MailboxAddress("", "shop@rapport.test"));
        message.To.Add(MailboxAddress.Parse(m.Recipient));
        message.Headers.Add("List-Unsubscribe", $"<http://localhost:5000/m/unsubscribe/{m.Key}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Body = new BodyBuilder { TextBody = m.BodyText, HtmlBody = m.BodyHtml }.ToMessageBody();
        return message;
    }
}
