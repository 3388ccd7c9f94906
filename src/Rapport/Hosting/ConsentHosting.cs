using System.Globalization;
using Rapport.Core.Consent;
using Rapport.Core.Events;

namespace Rapport.Hosting;

/// <summary>
/// Consent services, and <see cref="ConsentOptions"/> from configuration:
/// Rapport:Consent:GrantedByDefault ("analytics,personalisation": purposes granted until a
/// customer answers; empty by default, so everything is denied until granted),
/// Rapport:Consent:DefaultMaxPerWeek ("email:3,sms:1"), Rapport:Consent:DefaultTimeZone (IANA, UTC).
/// A bad value stops start-up with a message naming the setting and a good value.
/// </summary>
internal static class ConsentHosting
{
    public static IServiceCollection AddConsent(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetService<IConfiguration>() is { } config ? From(config) : new ConsentOptions());
        services.AddSingleton<IEventProjection, ConsentProjection>();
        services.AddSingleton<ConsentService>();
        services.AddSingleton<ContactPolicy>();
        return services;
    }

    public static ConsentOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Rapport:Consent");
        var granted = Split(section["GrantedByDefault"]).ToHashSet(StringComparer.Ordinal);
        foreach (var purpose in granted.Where(p => !ConsentVocabulary.IsPurpose(p)))
        {
            throw new ArgumentException($"Rapport:Consent:GrantedByDefault: {ConsentVocabulary.UnknownPurpose(purpose)}.");
        }

        var caps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in Split(section["DefaultMaxPerWeek"]))
        {
            var parts = pair.Split(':');
            if (parts.Length != 2 || !ConsentVocabulary.IsChannel(parts[0]) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var n) || n < 0)
            {
                throw new ArgumentException($"Rapport:Consent:DefaultMaxPerWeek: '{pair}' should be CHANNEL:N such as \"email:3,sms:1\" with CHANNEL one of {string.Join(", ", ConsentVocabulary.Channels)}.");
            }

            caps[parts[0]] = n;
        }

        var zone = section["DefaultTimeZone"] is { Length: > 0 } z ? z : "UTC";
        if (!ConsentRequestParser.TryFindZone(zone, out _))
        {
            throw new ArgumentException($"Rapport:Consent:DefaultTimeZone: '{zone}' is not an IANA time zone; use a name such as Europe/London.");
        }

        return new ConsentOptions { GrantedByDefault = granted, DefaultMaxPerWeek = caps, DefaultTimeZone = zone };
    }

    private static IEnumerable<string> Split(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
