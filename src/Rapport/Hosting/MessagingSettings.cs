using System.Globalization;
using Rapport.Core.Messaging;

namespace Rapport.Hosting;

/// <summary>
/// <see cref="MessagingOptions"/> from configuration: Rapport:PublicUrl, Rapport:Messaging:SigningKey,
/// Rapport:Smtp:Host, :Port (25), :From, :FromName, :User, :Password, :Security (none|starttls|ssl),
/// :Connections (8); Rapport:Webhooks:sms|push:Url and :Secret for SMS and push providers. No Host means no email is sent (messages wait in the outbox). A bad value
/// stops start-up with a message naming the setting.
/// </summary>
internal static class MessagingSettings
{
    public static MessagingOptions From(IConfiguration configuration, string urls)
    {
        var s = configuration.GetSection("Rapport:Smtp");
        SmtpOptions? smtp = null;
        if (s["Host"] is { Length: > 0 } host)
        {
            var from = s["From"] is { Length: > 0 } f ? f : throw new ArgumentException("Rapport:Smtp:From is missing: the address emails come from, e.g. news@example.com.");
            smtp = new SmtpOptions(host, Int(s, "Port", 25), from)
            {
                FromName = s["FromName"],
                User = s["User"],
                Password = s["Password"],
                Security = s["Security"]?.ToLowerInvariant() switch
                {
                    null or "" or "none" => SmtpSecurity.None,
                    "starttls" => SmtpSecurity.StartTls,
                    "ssl" => SmtpSecurity.SslOnConnect,
                    var other => throw new ArgumentException($"Rapport:Smtp:Security '{other}' is not one of none, starttls, ssl."),
                },
                Connections = Int(s, "Connections", 8),
            };
        }

        var webhooks = new List<WebhookOptions>();
        foreach (var channel in new[] { "sms", "push" })
        {
            var w = configuration.GetSection($"Rapport:Webhooks:{channel}");
            if (w["Url"] is not { Length: > 0 } hook)
            {
                continue;
            }

            if (!Uri.TryCreate(hook, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"Rapport:Webhooks:{channel}:Url '{hook}' is not an http(s) URL, e.g. https://sms.example/send.");
            }

            var secret = w["Secret"] is { Length: >= 16 } s16 ? s16 : throw new ArgumentException($"Rapport:Webhooks:{channel}:Secret must be at least 16 characters (it signs every request).");
            webhooks.Add(new WebhookOptions(channel, uri, secret));
        }

        return new MessagingOptions
        {
            Webhooks = webhooks,
            PublicUrl = configuration["Rapport:PublicUrl"] is { Length: > 0 } url ? url : urls.Split(';')[0].Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal),
            SigningKey = configuration["Rapport:Messaging:SigningKey"],
            Smtp = smtp,
        };
    }

    private static int Int(IConfigurationSection s, string name, int fallback)
    {
        if (s[name] is not { Length: > 0 } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new ArgumentException($"Rapport:Smtp:{name} '{text}' must be a positive whole number.");
    }
}
