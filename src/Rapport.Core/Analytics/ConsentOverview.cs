using System.Data.Common;
using System.Globalization;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>
/// One purpose on one channel across the live customers: their current explicit answers, those
/// with none (the configured default applies: denied unless the purpose is granted by default),
/// and the share for whom it is granted now, default included.
/// </summary>
public sealed record ConsentCell(string Purpose, string Channel, long Granted, long Denied, long NoAnswer, bool DefaultGranted, double GrantedShare);

/// <summary>Answers recorded in a week (Monday, UTC) on purpose × channel items: grants, and denials or withdrawals.</summary>
public sealed record ConsentWeek(DateOnly Week, long Grants, long Withdrawals);

/// <summary>Where answers came from (the ledger's source), how many and the latest.</summary>
public sealed record ConsentSourceCount(string Source, long Answers, DateTimeOffset LatestAt);

/// <summary>Customers using the contact settings now (their current answer), weekly maximums and preferred channels by channel.</summary>
public sealed record ContactSettingsUsage(
    long PausedNow, long PauseEnded, long QuietHours, long OwnTimeZone, IReadOnlyList<StatedCount> WeeklyMaximum, IReadOnlyList<StatedCount> PreferredChannel);

/// <summary>Consent across the customer base (the population page), as of <see cref="At"/>.</summary>
public sealed record ConsentOverviewReport(
    DateTimeOffset At, long Customers, long CustomersWithAnswers, IReadOnlyList<ConsentCell> Cells, IReadOnlyList<ConsentWeek> Weeks,
    IReadOnlyList<ConsentSourceCount> Sources, ContactSettingsUsage Settings);

/// <summary>
/// Folds the whole ledger the way <see cref="ConsentState"/> folds one customer's (each item's
/// latest answer by time, then ledger order; rows read through identifiers so they follow merges),
/// with one window-function pass, then groups. Seconds at a million customers: read through
/// <see cref="ReportCache"/> (PopulationReports), never per page view.
/// </summary>
public sealed class ConsentOverview(IDatabase database, ConsentOptions options, TimeProvider clock)
{
    public const int Weeks = 26;
    public const int MaxSources = 15;

    private const long WeekMs = 7L * 24 * 3600 * 1000;

    /// <summary>1970-01-05, the first Monday of Unix time: weeks are counted from it.</summary>
    private const long MondayMs = 4L * 24 * 3600 * 1000;

    private const string Owned = """
        FROM consent_ledger l
        JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
        JOIN customers c ON c.id = i.customer_id AND c.merged_into IS NULL
        """;

    public async Task<ConsentOverviewReport> ComputeAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await database.OpenAsync(ct);
        var customers = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customers WHERE merged_into IS NULL", cancellationToken: ct));
        var answering = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(DISTINCT i.customer_id) {Owned}", cancellationToken: ct));
        var latest = await LatestAsync(c, now, ct);

        var cells = ConsentVocabulary.Purposes.SelectMany(p => ConsentVocabulary.Channels.Select(ch =>
        {
            var item = ConsentEntry.Pair(p, ch);
            var granted = latest.GetValueOrDefault((item, ConsentEntry.Granted));
            var denied = latest.GetValueOrDefault((item, ConsentEntry.Denied));
            var byDefault = options.GrantedByDefault.Contains(p);
            var none = Math.Max(0, customers - granted - denied);
            return new ConsentCell(p, ch, granted, denied, none, byDefault, customers == 0 ? 0 : (granted + (byDefault ? none : 0)) / (double)customers);
        })).ToList();

        var settings = new ContactSettingsUsage(
            latest.GetValueOrDefault((ConsentEntry.PausedUntil, "active")),
            latest.GetValueOrDefault((ConsentEntry.PausedUntil, "past")),
            latest.GetValueOrDefault((ConsentEntry.QuietHours, "set")),
            latest.GetValueOrDefault((ConsentEntry.TimeZone, "set")),
            ConsentVocabulary.Channels.Select(ch => new StatedCount(ch, latest.GetValueOrDefault((ConsentEntry.MaxPerWeekPrefix + ch, "set")))).Where(x => x.Customers > 0).ToList(),
            latest.Where(kv => kv.Key.Item == ConsentEntry.PreferredChannel && kv.Key.Value.Length > 0)
                .Select(kv => new StatedCount(kv.Key.Value, kv.Value)).OrderByDescending(x => x.Customers).ThenBy(x => x.Value, StringComparer.Ordinal).ToList());

        return new ConsentOverviewReport(now, customers, answering, cells, await WeeksAsync(c, now, ct), await SourcesAsync(c, ct), settings);
    }

    /// <summary>
    /// Each live customer's latest row per item, counted by (item, value class): for pairs the
    /// answer (granted, denied, '' withdrawn); for a pause whether it is still running; for quiet
    /// hours, time zone and weekly maximums whether one is set; the preferred channel itself.
    /// </summary>
    private static async Task<Dictionary<(string Item, string Value), long>> LatestAsync(DbConnection c, DateTimeOffset now, CancellationToken ct)
    {
        // Pauses are stored as Unix milliseconds in text: compared by length, then as text, so no cast can fail on either store.
        var nowText = UnixTime.ToStorage(now).ToString(CultureInfo.InvariantCulture);
        var sql = $"""
            WITH latest AS (
              SELECT l.item, l.value, ROW_NUMBER() OVER (PARTITION BY i.customer_id, l.item ORDER BY l.at DESC, l.id DESC) AS rn
              {Owned})
            SELECT item, CASE
                WHEN item = '{ConsentEntry.PausedUntil}' THEN (CASE WHEN value = '' THEN ''
                  WHEN LENGTH(value) > {nowText.Length} OR (LENGTH(value) = {nowText.Length} AND value > @now) THEN 'active' ELSE 'past' END)
                WHEN item IN ('{ConsentEntry.QuietHours}', '{ConsentEntry.TimeZone}') OR item LIKE '{ConsentEntry.MaxPerWeekPrefix}%' THEN (CASE WHEN value = '' THEN '' ELSE 'set' END)
                ELSE value END AS answer,
              COUNT(*) AS n
            FROM latest WHERE rn = 1
            GROUP BY item, answer
            """;
        var rows = await c.QueryAsync<(string Item, string Answer, long N)>(new CommandDefinition(sql, new { now = nowText }, cancellationToken: ct));
        return rows.ToDictionary(r => (r.Item, r.Answer), r => r.N);
    }

    private static async Task<List<ConsentWeek>> WeeksAsync(DbConnection c, DateTimeOffset now, CancellationToken ct)
    {
        var current = (UnixTime.ToStorage(now) - MondayMs) / WeekMs;
        var first = current - Weeks + 1;
        var pairs = string.Join(", ", ConsentVocabulary.Purposes.SelectMany(p => ConsentVocabulary.Channels.Select(ch => $"'{ConsentEntry.Pair(p, ch)}'")));
        var rows = (await c.QueryAsync<(long Week, long Grants, long Withdrawals)>(new CommandDefinition(
            $"""
            SELECT (at - {MondayMs}) / {WeekMs} AS week,
                   SUM(CASE WHEN value = '{ConsentEntry.Granted}' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN value = '{ConsentEntry.Granted}' THEN 0 ELSE 1 END)
            FROM consent_ledger WHERE item IN ({pairs}) AND at >= @from AND at < @to
            GROUP BY (at - {MondayMs}) / {WeekMs}
            """,
            new { from = MondayMs + (first * WeekMs), to = MondayMs + ((current + 1) * WeekMs) },
            cancellationToken: ct))).ToDictionary(r => r.Week);
        return Enumerable.Range(0, Weeks).Select(k =>
        {
            var week = first + k;
            var start = DateOnly.FromDateTime(UnixTime.FromStorage(MondayMs + (week * WeekMs)).UtcDateTime);
            return rows.TryGetValue(week, out var r) ? new ConsentWeek(start, r.Grants, r.Withdrawals) : new ConsentWeek(start, 0, 0);
        }).ToList();
    }

    private static async Task<List<ConsentSourceCount>> SourcesAsync(DbConnection c, CancellationToken ct) =>
        (await c.QueryAsync<(string Source, long N, long Latest)>(new CommandDefinition(
            $"SELECT source, COUNT(*), MAX(at) FROM consent_ledger GROUP BY source ORDER BY COUNT(*) DESC, source LIMIT {MaxSources}", cancellationToken: ct)))
        .Select(r => new ConsentSourceCount(r.Source, r.N, UnixTime.FromStorage(r.Latest))).ToList();
}
