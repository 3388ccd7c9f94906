namespace Rapport.Core.Messaging;

/// <summary>
/// Settings of the messaging feature (configuration section Rapport:Messaging and
/// Rapport:Smtp; environment Rapport__Smtp__Host etc.). With no SMTP host, emails wait in the
/// outbox and the status says so; nothing is dropped.
/// </summary>
public sealed record MessagingOptions
{
    /// <summary>Where customers reach this server: the base of unsubscribe and tracking links.</summary>
    public string PublicUrl { get; init; } = "http://localhost:5000";

    /// <summary>Signs links; empty means a random key kept in the store.</summary>
    public string? SigningKey { get; init; }

    public SmtpOptions? Smtp { get; init; }

    /// <summary>SMS and push provider webhooks, by channel.</summary>
    public IReadOnlyList<WebhookOptions> Webhooks { get; init; } = [];

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>How many messages one dispatcher round claims.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>A claimed message not completed within this time is claimed again (its sender died).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);
}

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

public sealed record SmtpOptions(string Host, int Port, string From)
{
    public string? FromName { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    public SmtpSecurity Security { get; init; } = SmtpSecurity.None;

    /// <summary>
    /// Parallel SMTP connections kept open. Eight, because on a 2-core box four left the outbox
    /// just under 1,000 emails/s to a local server and eight gave 1,200-1,300/s
    /// (docs/performance.md); typical MTAs allow far more connections per client.
    /// </summary>
    public int Connections { get; init; } = 8;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
