using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Consent;
using Rapport.Core.Keys;

namespace Rapport.Http;

/// <summary>
/// A customer's consent and contact preferences (admin key): read, replace (PUT), change (PATCH),
/// the ledger's history, and what the contact gate says now. Mistakes are 400 problems whose
/// "errors" give each mistake's JSON path and what to do; nothing is recorded then.
/// </summary>
internal static class ConsentEndpoints
{
    public static void MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/customers/{id:long}").RequireKey(KeyKind.Admin).WithTags("Consent");
        g.MapGet("/consent", GetAsync).WithSummary("Current consent per purpose and channel (with source and time), quiet hours, weekly maximums, preferred channel, pause");
        g.MapPut("/consent", (long id, JsonObject? body, ConsentService consent, CancellationToken ct) => ChangeAsync(id, body, true, consent, ct))
            .WithSummary("Replace the consent: what the body does not give is withdrawn (defaults apply)");
        g.MapPatch("/consent", (long id, JsonObject? body, ConsentService consent, CancellationToken ct) => ChangeAsync(id, body, false, consent, ct))
            .WithSummary("Change only what the body gives; null withdraws an answer");
        g.MapGet("/consent/history", HistoryAsync).WithSummary("The consent ledger, newest first, paged by cursor");
        g.MapGet("/contact-check", CheckAsync).WithSummary("Whether the customer may be contacted for a purpose on a channel now (or ?at=), and if not why");
    }

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> GetAsync(long id, ConsentService consent, CancellationToken ct) =>
        await consent.GetAsync(id, ct) is { } s ? TypedResults.Ok(ConsentView.Of(s.Customer, s.State)) : NoCustomer(id);

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> ChangeAsync(long id, JsonObject? body, bool replace, ConsentService consent, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("Missing body", "Send a JSON object such as {\"source\": \"preference_page\", \"consents\": {\"marketing\": {\"email\": true}}}; docs/consent.md has every field.");
        }

        var (update, errors) = ConsentRequestParser.Parse(body, "api");
        if (update is null)
        {
            var more = errors.Count > 1 ? $" ({errors.Count - 1} more in \"errors\")" : "";
            return Problems.BadRequest("Invalid consent change", $"{errors[0]}{more}. Nothing was recorded.", errors);
        }

        return await consent.UpdateAsync(id, update, replace, ct) is { } s ? TypedResults.Ok(ConsentView.Of(s.Customer, s.State)) : NoCustomer(id);
    }

    private static async Task<Results<Ok<ConsentHistoryPage>, ProblemHttpResult>> HistoryAsync(
        long id, ConsentService consent, CancellationToken ct, int? limit, string? cursor)
    {
        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, CultureInfo.InvariantCulture, out var c) || c < 1)
            {
                return Problems.BadRequest("Bad cursor", "Pass back the 'nextCursor' of the previous page unchanged.");
            }

            before = c;
        }

        if (limit is < 1 or > ConsentService.MaxPageSize)
        {
            return Problems.BadRequest("Bad limit", $"limit must be between 1 and {ConsentService.MaxPageSize}.");
        }

        return await consent.HistoryAsync(id, limit ?? 50, before, ct) is { } page ? TypedResults.Ok(page) : NoCustomer(id);
    }

    private static async Task<Results<Ok<ContactCheckView>, ProblemHttpResult>> CheckAsync(
        long id, ContactPolicy policy, ConsentService consent, TimeProvider clock, CancellationToken ct, string? purpose, string? channel, DateTimeOffset? at)
    {
        if (!ConsentVocabulary.IsPurpose(purpose))
        {
            return Problems.BadRequest("Unknown purpose", purpose is null ? $"Pass ?purpose= one of {string.Join(", ", ConsentVocabulary.Purposes)}." : ConsentVocabulary.UnknownPurpose(purpose) + ".");
        }

        if (!ConsentVocabulary.IsChannel(channel))
        {
            return Problems.BadRequest("Unknown channel", channel is null ? $"Pass ?channel= one of {string.Join(", ", ConsentVocabulary.Channels)}." : ConsentVocabulary.UnknownChannel(channel) + ".");
        }

        if (await consent.GetAsync(id, ct) is not { } s)
        {
            return NoCustomer(id);
        }

        var decision = (await policy.CheckAsync(s.Customer, purpose!, channel!, at ?? clock.GetUtcNow(), ct))!;
        return TypedResults.Ok(new ContactCheckView(s.Customer, purpose!, channel!, decision.Allowed, decision.Check.ReasonCode, decision.Check.Detail));
    }

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
}

internal sealed record ContactCheckView(long CustomerId, string Purpose, string Channel, bool Allowed, string Reason, string Detail);

internal sealed record AnswerView(bool Granted, bool IsDefault, string? Source, DateTimeOffset? At);

internal sealed record QuietHoursView(string Start, string End);

internal sealed record ConsentView(
    long CustomerId,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, AnswerView>> Consents,
    string TimeZone,
    bool TimeZoneIsDefault,
    QuietHoursView? QuietHours,
    IReadOnlyDictionary<string, int> MaxPerWeek,
    string? PreferredChannel,
    DateTimeOffset? PausedUntil)
{
    public static ConsentView Of(long customer, ConsentState s) => new(
        customer,
        ConsentVocabulary.Purposes.ToDictionary(
            p => p,
            p => (IReadOnlyDictionary<string, AnswerView>)ConsentVocabulary.Channels.ToDictionary(
                c => c, c => s.Answer(p, c) is var a ? new AnswerView(a.Granted, a.IsDefault, a.Source, a.At) : null!)),
        s.TimeZone,
        !s.HasOwnTimeZone,
        s.QuietHours is { } q ? new QuietHoursView(q.Start.ToString("HH:mm", CultureInfo.InvariantCulture), q.End.ToString("HH:mm", CultureInfo.InvariantCulture)) : null,
        s.MaxPerWeekByChannel(),
        s.PreferredChannel,
        s.PausedUntil);
}
