using System.Globalization;
using Rapport.Core.Messaging;

namespace Rapport.Hosting;

/// <summary>
/// <see cref="MessagingOptions"/> from configuration: Rapport:PublicUrl, Rapport:Messaging:SigningKey,
/// Rapport:Smtp:Host, :Port (25), :From, :FromName, :User, :Password, :Security (none|starttls|ssl),
/// :Connections (4). No Host means no email is sent (messages wait in the outbox). A bad value
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
                Connections = Int(s, "Connections", 4),
            };
        }

        return new MessagingOptions
        {
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
