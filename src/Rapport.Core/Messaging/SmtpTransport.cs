using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Rapport.Core.Messaging;

/// <summary>
/// Email over SMTP (MailKit). <see cref="SmtpOptions.Connections"/> dedicated threads each keep
/// one connection open and send with blocking I/O (<see cref="SenderThreads{TConnection}"/>: far
/// fewer context switches per message than async I/O on the thread pool). 5xx replies are
/// permanent (dead-lettered; an unknown mailbox is also suppressed), 4xx replies and lost
/// connections are transient (retried with back-off), a recipient address MimeKit cannot parse
/// is permanent. The Message-ID is derived from the outbox row, so a resend after a crash
/// carries the same id. Files (staff answers with attachments) come from <see cref="IEmailParts"/>
/// as MIME parts, read before the batch is handed to the sender threads and handed over with
/// each message.
/// </summary>
public sealed class SmtpTransport : IMessageTransport, IAsyncDisposable
{
    private readonly SmtpOptions options;
    private readonly MessageLinks links;
    private readonly IEmailParts? parts;
    private readonly SenderThreads<SmtpConnection, Outgoing> _senders;

    public SmtpTransport(SmtpOptions options, MessageLinks links, IEmailParts? parts = null)
    {
        this.options = options;
        this.links = links;
        this.parts = parts;
        _senders = new SenderThreads<SmtpConnection, Outgoing>(options.Connections, "SMTP sender", () => new SmtpConnection(), Send, c => Close(c));
    }

    public string Channel => "email";

    public int Parallelism => _senders.Count;

    public async Task<DeliveryOutcome> SendAsync(ClaimedMessage m, CancellationToken ct) => (await SendAllAsync([m], ct))[0];

    public async Task<DeliveryOutcome[]> SendAllAsync(IReadOnlyList<ClaimedMessage> messages, CancellationToken ct)
    {
        var outgoing = new Outgoing[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            // Bulk email has no files and costs no query here (ConversationEmailParts checks the key first).
            outgoing[i] = new Outgoing(messages[i], parts is null ? [] : await parts.ForAsync(messages[i], ct));
        }

        return await _senders.SendAsync(outgoing, ct);
    }

    /// <summary>A message as the sender threads take it: with its files, read before the hand-over (the threads do no async I/O).</summary>
    private readonly record struct Outgoing(ClaimedMessage Message, IReadOnlyList<EmailPart> Files);

    /// <summary>One message on one sender thread's connection (opened or reopened as needed).</summary>
    private DeliveryOutcome Send(SmtpConnection connection, Outgoing outgoing, CancellationToken ct)
    {
        var m = outgoing.Message;
        MimeMessage message;
        try
        {
            message = Build(m, outgoing.Files);
        }
        catch (ParseException e)
        {
            return new DeliveryOutcome.Permanent(m.Id, $"'{m.Recipient}' is not an email address MimeKit can parse: {e.Message.Trim()}", false);
        }

        try
        {
            if (connection.Client is { IsConnected: false })
            {
                Close(connection, quit: false);
            }

            var client = connection.Client ??= Connect(ct);
            client.Send(message, ct);
            return new DeliveryOutcome.Sent(m.Id);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            var unknownMailbox = e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && e.StatusCode is SmtpStatusCode.MailboxUnavailable or SmtpStatusCode.MailboxNameNotAllowed or SmtpStatusCode.UserNotLocalTryAlternatePath;
            KeepIfUsable(connection, ct);
            return new DeliveryOutcome.Permanent(m.Id, $"SMTP {(int)e.StatusCode}: {e.Message.Trim()}", unknownMailbox);
        }
        catch (SmtpCommandException e)
        {
            KeepIfUsable(connection, ct);
            return new DeliveryOutcome.Transient(m.Id, $"SMTP {(int)e.StatusCode}: {e.Message.Trim()}");
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                      or TimeoutException or AuthenticationException or SslHandshakeException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            Close(connection, quit: false);
            return new DeliveryOutcome.Transient(m.Id, $"SMTP server {options.Host}:{options.Port}: {e.Message.Trim()}");
        }
        catch
        {
            // Cancelled or unexpected: the connection's state is unknown, start the next message on a new one.
            Close(connection, quit: false);
            throw;
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

    private SmtpClient Connect(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            var security = options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            client.Connect(BlockingSocket(), options.Host, options.Port, security, ct);
            if (!string.IsNullOrEmpty(options.User))
            {
                client.Authenticate(options.User, options.Password ?? "", ct);
            }

            // Without SIZE, MailKit writes each message once instead of measuring it first by writing it
            // to a counting stream; an oversized message is still refused (552, dead-lettered) at its end.
            client.Capabilities &= ~SmtpCapabilities.Size;
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A socket connected with a plain blocking connect (bounded by the timeout: Linux applies the
    /// send timeout to connect). MailKit's own connect is asynchronous, and a .NET socket that ever
    /// ran an async operation stays non-blocking: every blocking read after it is emulated through
    /// the socket engine's thread, which costs the context switches the sender threads avoid.
    /// </summary>
    private Socket BlockingSocket()
    {
        var timeout = (int)options.Timeout.TotalMilliseconds;
        var addresses = System.Net.Dns.GetHostAddresses(options.Host);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = timeout, ReceiveTimeout = timeout };
            try
            {
                socket.Connect(address, options.Port);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>After a refused command the connection is still usable once reset; keep it if so.</summary>
    private static void KeepIfUsable(SmtpConnection connection, CancellationToken ct)
    {
        try
        {
            connection.Client?.NoOp(ct);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SmtpCommandException or ServiceNotConnectedException)
        {
            connection.Client?.Dispose();
            connection.Client = null;
        }
    }

    /// <summary>Forgets the connection; says goodbye first when <paramref name="quit"/> (not after an error: the server may not answer).</summary>
    private static void Close(SmtpConnection connection, bool quit = true)
    {
        if (connection.Client is not { } client)
        {
            return;
        }

        connection.Client = null;
        try
        {
            if (quit && client.IsConnected)
            {
                client.Disconnect(true);
            }
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or ServiceNotConnectedException or SocketException or TimeoutException)
        {
            // The server is gone already; nothing to say goodbye to.
        }

        client.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _senders.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The connection one sender thread keeps between messages (none until the first send).</summary>
    private sealed class SmtpConnection
    {
        public SmtpClient? Client { get; set; }
    }
}
