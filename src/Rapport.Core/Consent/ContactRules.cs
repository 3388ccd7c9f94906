namespace Rapport.Core.Consent;

/// <summary>Why a contact may not happen. The names are the API's "reason" codes.</summary>
public enum ContactDenial
{
    None,
    NoConsent,
    Paused,
    QuietHours,
    WeeklyCapReached,
}

/// <summary>The answer of the contact gate: allowed, or the reason it is not and a sentence saying so.</summary>
public sealed record ContactCheck(bool Allowed, ContactDenial Reason, string Detail)
{
    public string ReasonCode => Reason switch
    {
        ContactDenial.None => "allowed",
        ContactDenial.NoConsent => "no_consent",
        ContactDenial.Paused => "paused",
        ContactDenial.QuietHours => "quiet_hours",
        ContactDenial.WeeklyCapReached => "weekly_cap_reached",
        _ => "unknown",
    };
}

/// <summary>
/// The pure rule behind <see cref="ContactPolicy"/>: consent first (nothing else matters without
/// it), then a pause (outbound channels), quiet hours in the customer's time zone (interrupting
/// channels), then the weekly maximum (contacts on that channel in the past 7 × 24 hours).
/// </summary>
public static class ContactRules
{
    public static ContactCheck Evaluate(ConsentState state, string purpose, string channel, DateTimeOffset at, int contactsPastWeek)
    {
        var answer = state.Answer(purpose, channel);
        if (!answer.Granted)
        {
            return new(false, ContactDenial.NoConsent, answer.IsDefault
                ? $"the customer has not granted {purpose} on {channel} (the default is denied until granted)"
                : $"the customer denied {purpose} on {channel} ({answer.Source}, {answer.At:u})");
        }

        if (ConsentVocabulary.Outbound.Contains(channel) && state.PausedUntil is { } until && at < until)
        {
            return new(false, ContactDenial.Paused, $"the customer paused contact until {until:u}");
        }

        if (ConsentVocabulary.Interrupting.Contains(channel) && state.QuietHours is { } quiet)
        {
            var zone = ConsentRequestParser.TryFindZone(state.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
            if (quiet.Contains(local))
            {
                return new(false, ContactDenial.QuietHours, $"it is {local:HH\\:mm} in {zone.Id}, inside the customer's quiet hours {quiet}");
            }
        }

        if (state.MaxPerWeek(channel) is { } max && contactsPastWeek >= max)
        {
            return new(false, ContactDenial.WeeklyCapReached, $"{contactsPastWeek} contact(s) on {channel} in the past 7 days; the customer's maximum is {max} a week");
        }

        return new(true, ContactDenial.None, "allowed");
    }
}
