using Dapper;
using Rapport.Core.Commerce;
using Rapport.Core.Consent;
using Rapport.Core.Customers;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;

namespace Rapport.Core.Preferences;

/// <summary>An offer the customer was shown and why, from the decision log (control decisions showed nothing and are left out).</summary>
public sealed record OfferExplanation(long DecisionId, string Action, string Channel, string? Placement, string Reason, DateTimeOffset DecidedAt, string? Outcome);

/// <summary>Everything the preference-centre page shows.</summary>
public sealed record PreferencePage(
    CustomerProfile Profile,
    ConsentState Consent,
    IReadOnlyList<OrderListItem> RecentOrders,
    LoyaltySummary? Loyalty,
    IReadOnlyList<OfferExplanation> Offers,
    ErasureRequest? PendingErasure);

/// <summary>
/// What the preference centre reads: the customer's profile, consent, recent orders, points and
/// the reasons of recent offers, each from the feature that owns it (no copies). Also the full
/// export ("download my data").
/// </summary>
public sealed class PreferenceCentre(
    IDatabase database, CustomerQueries customers, CommerceQueries commerce, LoyaltyQueries loyalty, ConsentService consent,
    ErasureRequests erasures, PreferenceOptions options)
{
    /// <summary>The export holds at most this many timeline events (newest first); docs/preference-centre.md says so.</summary>
    public const int MaxExportedEvents = 50_000;

    private const string MyDecisions =
        "FROM decisions d JOIN identifiers i ON i.kind = d.id_kind AND i.value = d.id_value JOIN actions a ON a.id = d.action_id WHERE i.customer_id = @customer AND d.control = 0";

    /// <returns>Null for an unknown or erased customer; a merged-away id shows the customer it became.</returns>
    public async Task<PreferencePage?> ReadAsync(long id, CancellationToken ct = default)
    {
        if (await consent.GetAsync(id, ct) is not { } state || await customers.GetAsync(state.Customer, ct) is not { } profile)
        {
            return null;
        }

        var customer = state.Customer;
        if (await IsErasedAsync(customer, ct))
        {
            return null; // nothing left to show or download: the link is as good as invalid
        }

        return new PreferencePage(
            profile,
            state.State,
            await commerce.OrdersAsync(customer, 5, ct),
            await loyalty.SummaryAsync(customer, ct),
            await OffersAsync(customer, options.RecentOffers, ct),
            await erasures.PendingAsync(customer, ct));
    }

    private async Task<bool> IsErasedAsync(long customer, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM erased_customers WHERE customer_id = @customer", new { customer }) > 0;
    }

    public async Task<IReadOnlyList<OfferExplanation>> OffersAsync(long customer, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, string Action, string Channel, string? Placement, string Reason, long At, string? Outcome)>(
            $"SELECT d.id, a.name, d.channel, d.placement, d.reason, d.decided_at, d.outcome {MyDecisions} ORDER BY d.id DESC LIMIT @limit",
            new { customer, limit });
        return rows.Select(r => new OfferExplanation(r.Id, r.Action, r.Channel, r.Placement, r.Reason, UnixTime.FromStorage(r.At), r.Outcome)).ToList();
    }

    /// <summary>All the customer's data as one JSON-serialisable object; null for an unknown customer.</summary>
    public async Task<PreferenceExport?> ExportAsync(long id, DateTimeOffset now, CancellationToken ct = default)
    {
        if (await ReadAsync(id, ct) is not { } page)
        {
            return null;
        }

        var customer = page.Profile.Id;
        var ledger = new List<ConsentHistoryItem>();
        long? before = null;
        do
        {
            var p = (await consent.HistoryAsync(customer, ConsentService.MaxPageSize, before, ct))!;
            ledger.AddRange(p.Items);
            before = p.NextCursor is null ? null : p.Items[^1].Id;
        }
        while (before is not null);

        var events = new List<TimelineEntry>();
        string? cursor = null;
        do
        {
            var p = await customers.TimelineAsync(customer, CustomerQueries.MaxPageSize, cursor, null, null, null, ct);
            events.AddRange(p.Items);
            cursor = p.NextCursor;
        }
        while (cursor is not null && events.Count < MaxExportedEvents);

        await using var c = await database.OpenAsync(ct);
        var asks = await c.QueryAsync<(string Question, string Channel, long At)>(
            "SELECT a.question, a.channel, a.asked_at FROM profiling_asks a JOIN identifiers i ON i.kind = a.id_kind AND i.value = a.id_value WHERE i.customer_id = @customer ORDER BY a.asked_at",
            new { customer });
        return new PreferenceExport(
            now,
            page.Profile,
            page.Consent.Answers().ToList(),
            new ContactPreferences(page.Consent.TimeZone, page.Consent.QuietHours?.ToString(), page.Consent.MaxPerWeekByChannel(), page.Consent.PreferredChannel, page.Consent.PausedUntil),
            ledger,
            await commerce.OrdersAsync(customer, 10_000, ct),
            page.Loyalty,
            await OffersAsync(customer, 10_000, ct),
            asks.Select(a => new { question = a.Question, channel = a.Channel, askedAt = UnixTime.FromStorage(a.At) }).ToList<object>(),
            events,
            events.Count >= MaxExportedEvents)
        {
            Conversations = await Conversations.ConversationExport.ForCustomerAsync(database, customer, ct),
        };
    }
}

public sealed record ContactPreferences(string TimeZone, string? QuietHours, IReadOnlyDictionary<string, int> MaxPerWeek, string? PreferredChannel, DateTimeOffset? PausedUntil);

public sealed record PreferenceExport(
    DateTimeOffset ExportedAt,
    CustomerProfile Customer,
    IReadOnlyList<ConsentAnswer> Consent,
    ContactPreferences ContactPreferences,
    IReadOnlyList<ConsentHistoryItem> ConsentHistory,
    IReadOnlyList<OrderListItem> Orders,
    LoyaltySummary? Loyalty,
    IReadOnlyList<OfferExplanation> Offers,
    IReadOnlyList<object> QuestionsAsked,
    IReadOnlyList<TimelineEntry> Events,
    bool EventsTruncated)
{
    /// <summary>Every conversation thread with its messages and attached files (base64).</summary>
    public IReadOnlyList<Conversations.ExportedThread> Conversations { get; init; } = [];
}
