using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Rapport.Core.Messaging;

/// <summary>
/// Email over SMTP (MailKit), with a pool of open connections so a burst is not a handshake per
/// message. 5xx replies are permanent (dead-lettered; an unknown mailbox is also suppressed),
/// 4xx replies and lost connections are transient (retried with back-off). The Message-ID is
/// derived from the outbox row, so a resend after a crash carries the same id. Files (staff
/// answers with attachments) come from <see cref="IEmailParts"/> as MIME parts.
/// </summary>
public sealed class SmtpTransport(SmtpOptions options, MessageLinks links, IEmailParts? parts = null) : IMessageTransport, IAsyncDisposable
{
    private readonly ConcurrentBag<SmtpClient> _idle = [];

    public string Channel => "email";

    public int Parallelism => Math.Max(1, options.Connections);

    public async Task<DeliveryOutcome> SendAsync(ClaimedMessage m, CancellationToken ct)
    {
        SmtpClient? client = null;
        try
        {
            var files = parts is null ? [] : await parts.ForAsync(m, ct);
            client = await RentAsync(ct);
            await client.SendAsync(Build(m, files), ct);
            _idle.Add(client);
            client = null;
            return new DeliveryOutcome.Sent(m.Id);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            var unknownMailbox = e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && e.StatusCode is SmtpStatusCode.MailboxUnavailable or SmtpStatusCode.MailboxNameNotAllowed or SmtpStatusCode.UserNotLocalTryAlternatePath;
            await ReturnAfterCommandErrorAsync(client, ct);
            client = null;
            return new DeliveryOutcome.Permanent(m.Id, $"SMTP {(int)e.StatusCode}: {e.Message.Trim()}", unknownMailbox);
        }
        catch (SmtpCommandException e)
        {
            await ReturnAfterCommandErrorAsync(client, ct);
            client = null;
            return new DeliveryOutcome.Transient(m.Id, $"SMTP {(int)e.StatusCode}: {e.Message.Trim()}");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                      or TimeoutException or AuthenticationException or SslHandshakeException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new DeliveryOutcome.Transient(m.Id, $"SMTP server {options.Host}:{options.Port}: {e.Message.Trim()}");
        }
        finally
        {
            if (client is not null)
            {
                client.Dispose();
            }
        }
    }

    private MimeMessage Build(ClaimedMessage m, IReadOnlyList<EmailPart> files)
    {
        var message = new MimeMessage
        {
            MessageId = $"{m.Id}.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(m.Key)))[..16]}@rapport",
            Subject = m.Subject,
        };
        message.From.Add(new MailboxAddress(options.FromName ?? "", options.From));
        message.To.Add(MailboxAddress.Parse(m.Recipient));
        if (m.Purpose == MessagePurpose.Marketing)
        {
            // RFC 8058 one-click unsubscribe: mail clients show an "unsubscribe" button.
            message.Headers.Add("List-Unsubscribe", $"<{links.Unsubscribe(m.Key)}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = m.BodyText, HtmlBody = m.BodyHtml };
        foreach (var f in files)
        {
            body.Attachments.Add(f.FileName, f.Content, ContentType.Parse(f.ContentType));
        }

        message.Body = body.ToMessageBody();
        return message;
    }

    private async Task<SmtpClient> RentAsync(CancellationToken ct)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.IsConnected)
            {
                return idle;
            }

            idle.Dispose();
        }

        var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            var security = options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(options.Host, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.User))
            {
                await client.AuthenticateAsync(options.User, options.Password ?? "", ct);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>After a refused command the connection is still usable once reset; keep it if so.</summary>
    private async Task ReturnAfterCommandErrorAsync(SmtpClient? client, CancellationToken ct)
    {
        if (client is null)
        {
            return;
        }

        try
        {
            await client.NoOpAsync(ct);
            _idle.Add(client);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SmtpCommandException or ServiceNotConnectedException)
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                await client.DisconnectAsync(true);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or ServiceNotConnectedException)
            {
                // The server is gone already; nothing to say goodbye to.
            }

            client.Dispose();
        }
    }
}
