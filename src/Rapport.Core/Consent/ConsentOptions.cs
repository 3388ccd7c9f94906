namespace Rapport.Core.Consent;

/// <summary>
/// What applies where a customer has not answered. The default is GDPR-style opt-in: every
/// purpose is denied on every channel until the customer grants it (consent must be a clear
/// affirmative act; silence is not consent). An operator with another legal basis for a purpose
/// (for example analytics under legitimate interest) grants it here; settings
/// Rapport:Consent:Defaults:PURPOSE = granted. Customers' own answers always win.
/// </summary>
public sealed class ConsentOptions
{
    /// <summary>Purposes granted on every channel when the customer has not answered. Empty: all denied.</summary>
    public HashSet<string> GrantedByDefault { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A weekly maximum per channel for customers who set none; missing means no limit.</summary>
    public Dictionary<string, int> DefaultMaxPerWeek { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The time zone for quiet hours when the customer gave none.</summary>
    public string DefaultTimeZone { get; init; } = "UTC";
}
