namespace Rapport.Core.Consent;

/// <summary>
/// One line of the consent ledger. <see cref="Item"/> is what it is about: a purpose on a channel
/// ("marketing.email", value "granted" or "denied"), or a preference ("time_zone",
/// "quiet_hours" as "21:00-08:00", "max_per_week.email" as a whole number, "preferred_channel",
/// "paused_until" as UTC milliseconds). An empty value withdraws an earlier answer: the default
/// applies again.
/// </summary>
public sealed record ConsentEntry(string Item, string Value)
{
    public const string Granted = "granted";
    public const string Denied = "denied";
    public const string TimeZone = "time_zone";
    public const string QuietHours = "quiet_hours";
    public const string MaxPerWeekPrefix = "max_per_week.";
    public const string PreferredChannel = "preferred_channel";
    public const string PausedUntil = "paused_until";

    public static string Pair(string purpose, string channel) => $"{purpose}.{channel}";
}

/// <summary>A change to a customer's consent: the entries it records and who said so.</summary>
public sealed record ConsentUpdate(string Source, IReadOnlyList<ConsentEntry> Entries);

/// <summary>A mistake in a consent change: where (a JSON path) and what to do about it.</summary>
public sealed record ConsentError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A ledger line as stored, with where it came from.</summary>
public sealed record LedgerEntry(string Item, string Value, string Source, string MessageId, DateTimeOffset At);
