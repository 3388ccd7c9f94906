namespace Rapport.Core.Consent;

/// <summary>
/// What a customer can agree to (purposes) and how they can be reached (channels). These are
/// contact channels, not event channels: "post" and "sms" reach a customer but are not where
/// events happen, and "store" or "chat" are where events happen but not how we contact anyone.
/// </summary>
public static class ConsentVocabulary
{
    public const string Marketing = "marketing";
    public const string Personalisation = "personalisation";
    public const string Profiling = "profiling";
    public const string Analytics = "analytics";
    public const string PartnerSharing = "partner_sharing";

    public const string Email = "email";
    public const string Sms = "sms";
    public const string Push = "push";
    public const string Phone = "phone";
    public const string Post = "post";
    public const string Web = "web";

    public static readonly IReadOnlyList<string> Purposes = [Marketing, Personalisation, Profiling, Analytics, PartnerSharing];

    public static readonly IReadOnlyList<string> Channels = [Email, Sms, Push, Phone, Post, Web];

    /// <summary>
    /// Channels that interrupt the customer: quiet hours apply to them. A web placement is seen
    /// while the customer is on the site, and post arrives with the morning mail.
    /// </summary>
    public static readonly IReadOnlySet<string> Interrupting = new HashSet<string>(StringComparer.Ordinal) { Email, Sms, Push, Phone };

    /// <summary>Channels we send on: a pause stops them. The web only answers a visit the customer made.</summary>
    public static readonly IReadOnlySet<string> Outbound = new HashSet<string>(StringComparer.Ordinal) { Email, Sms, Push, Phone, Post };

    public static bool IsPurpose(string? purpose) => purpose is not null && Purposes.Contains(purpose);

    public static bool IsChannel(string? channel) => channel is not null && Channels.Contains(channel);

    public static string UnknownPurpose(string purpose) =>
        $"'{purpose}' is not a consent purpose; use one of {string.Join(", ", Purposes)}{Suggest(purpose, Purposes)}";

    public static string UnknownChannel(string channel) =>
        $"'{channel}' is not a contact channel; use one of {string.Join(", ", Channels)}{Suggest(channel, Channels)}";

    private static string Suggest(string given, IReadOnlyList<string> known)
    {
        var lower = given.ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        var close = known.FirstOrDefault(k => k == lower || k.StartsWith(lower, StringComparison.Ordinal) || lower.StartsWith(k, StringComparison.Ordinal)
                                              || (lower == "personalization" && k == Personalisation) || (lower == "sharing" && k == PartnerSharing));
        return close is null || close == given ? "" : $" (did you mean '{close}'?)";
    }
}
