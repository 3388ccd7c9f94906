using System.Globalization;

namespace Rapport.Core.Consent;

/// <summary>A purpose on a channel as currently answered (or the default where not answered).</summary>
public sealed record ConsentAnswer(string Purpose, string Channel, bool Granted, bool IsDefault, string? Source, DateTimeOffset? At);

/// <summary>
/// A customer's current consent and contact preferences, derived from the ledger: for each item
/// the entry with the latest time wins (ties: the later ledger line), so answers arriving out of
/// order still end in the state the customer last chose.
/// </summary>
public sealed class ConsentState
{
    private readonly Dictionary<string, LedgerEntry> _latest;

    private ConsentState(Dictionary<string, LedgerEntry> latest, ConsentOptions options)
    {
        _latest = latest;
        Options = options;
    }

    public ConsentOptions Options { get; }

    /// <param name="ledger">Entries in ledger order (time, then id).</param>
    public static ConsentState Fold(IEnumerable<LedgerEntry> ledger, ConsentOptions options)
    {
        var latest = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        foreach (var e in ledger)
        {
            if (!latest.TryGetValue(e.Item, out var had) || e.At >= had.At)
            {
                latest[e.Item] = e;
            }
        }

        return new ConsentState(latest, options);
    }

    public ConsentAnswer Answer(string purpose, string channel)
    {
        if (_latest.TryGetValue(ConsentEntry.Pair(purpose, channel), out var e) && e.Value.Length > 0)
        {
            return new(purpose, channel, e.Value == ConsentEntry.Granted, false, e.Source, e.At);
        }

        return new(purpose, channel, Options.GrantedByDefault.Contains(purpose), true, null, null);
    }

    public IEnumerable<ConsentAnswer> Answers() =>
        ConsentVocabulary.Purposes.SelectMany(p => ConsentVocabulary.Channels.Select(c => Answer(p, c)));

    /// <summary>The customer's IANA time zone, or the default.</summary>
    public string TimeZone => Value(ConsentEntry.TimeZone) ?? Options.DefaultTimeZone;

    public bool HasOwnTimeZone => Value(ConsentEntry.TimeZone) is not null;

    public QuietHours? QuietHours => Value(ConsentEntry.QuietHours) is { } q ? Consent.QuietHours.FromStored(q) : null;

    public string? PreferredChannel => Value(ConsentEntry.PreferredChannel);

    public DateTimeOffset? PausedUntil =>
        Value(ConsentEntry.PausedUntil) is { } ms && long.TryParse(ms, CultureInfo.InvariantCulture, out var v) ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    /// <summary>The customer's weekly maximum for a channel, else the configured default; null: no limit.</summary>
    public int? MaxPerWeek(string channel) =>
        Value(ConsentEntry.MaxPerWeekPrefix + channel) is { } n && int.TryParse(n, CultureInfo.InvariantCulture, out var v) ? v
        : Options.DefaultMaxPerWeek.TryGetValue(channel, out var d) ? d : null;

    public IReadOnlyDictionary<string, int> MaxPerWeekByChannel() =>
        ConsentVocabulary.Channels.Select(c => (c, MaxPerWeek(c))).Where(x => x.Item2 is not null).ToDictionary(x => x.c, x => x.Item2!.Value);

    /// <summary>The current value of an item, or null if it was never given or was withdrawn.</summary>
    public string? Value(string item) => _latest.TryGetValue(item, out var e) && e.Value.Length > 0 ? e.Value : null;
}
