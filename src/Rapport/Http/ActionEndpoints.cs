using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Keys;
using Rapport.Core.Storage;

namespace Rapport.Http;

/// <summary>
/// The action catalogue (POST/GET/PUT /v1/actions), a customer's next best actions, outcomes and
/// decision log (admin key). Mistakes are 400 problems whose "errors" give each mistake's JSON path.
/// </summary>
internal static class ActionEndpoints
{
    public static void MapActionEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Next best action");
        g.MapPost("/actions", CreateAsync).WithSummary("Add an action to the catalogue");
        g.MapGet("/actions", ListAsync).WithSummary("Every action with its counters (issued, accepted, ignored) and learned propensity");
        g.MapGet("/actions/{id:long}", GetAsync).WithSummary("One action");
        g.MapPut("/actions/{id:long}", ReplaceAsync).WithSummary("Replace an action's definition (its counters stay)");
        g.MapGet("/actions/{id:long}/uplift", UpliftAsync).WithSummary("Conversion of treated customers against the action's control group, with a 95% interval of the difference");
        g.MapGet("/customers/{id:long}/next-best-actions", DecideAsync).Produces<NextBestActions>()
            .WithSummary("Ranked actions for a channel and placement, each with a reason; every one returned is logged");
        g.MapPost("/customers/{id:long}/actions/{decisionId:long}/outcome", OutcomeAsync).WithSummary("Record whether the customer accepted or ignored a decision");
        g.MapGet("/customers/{id:long}/decisions", DecisionsAsync).WithSummary("The customer's decision log across channels, newest first");
    }

    private static async Task<Results<Created<ActionView>, ProblemHttpResult>> CreateAsync(JsonObject? body, ActionCatalog catalog, CancellationToken ct)
    {
        var (action, problem) = await ReadAsync(body, 0, catalog, ct);
        if (action is null)
        {
            return problem!;
        }

        if (await catalog.CreateAsync(action, ct) is not { } id)
        {
            return Problems.Conflict($"An action named '{action.Spec.Name}' exists already; pick another name or PUT /v1/actions/{{id}} to change it.");
        }

        return TypedResults.Created($"/v1/actions/{id}", await catalog.GetAsync(id, ct));
    }

    private static async Task<Ok<IReadOnlyList<ActionView>>> ListAsync(ActionCatalog catalog, CancellationToken ct) => TypedResults.Ok(await catalog.ListAsync(ct));

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult>> GetAsync(long id, ActionCatalog catalog, CancellationToken ct) =>
        await catalog.GetAsync(id, ct) is { } a ? TypedResults.Ok(a) : NoAction(id);

    private static async Task<Results<Ok<ActionView>, ProblemHttpResult>> ReplaceAsync(long id, JsonObject? body, ActionCatalog catalog, CancellationToken ct)
    {
        var (action, problem) = await ReadAsync(body, id, catalog, ct);
        if (action is null)
        {
            return problem!;
        }

        return await catalog.ReplaceAsync(id, action, ct) switch
        {
            null => Problems.Conflict($"Another action is named '{action.Spec.Name}'."),
            false => NoAction(id),
            true => TypedResults.Ok((await catalog.GetAsync(id, ct))!),
        };
    }

    private static async Task<Results<JsonHttpResult<NextBestActions>, ProblemHttpResult>> DecideAsync(
        long id, NextBestActionEngine engine, ActionCatalog catalog, HttpContext http, CancellationToken ct, string? channel, string? placement, int? limit, bool? explain)
    {
        if (!ConsentVocabulary.IsChannel(channel))
        {
            return Problems.BadRequest("Unknown channel", channel is null
                ? $"Pass ?channel= one of {string.Join(", ", ConsentVocabulary.Channels)}."
                : ConsentVocabulary.UnknownChannel(channel) + ".");
        }

        var known = (await catalog.CurrentAsync(ct)).Placements;
        if (placement is not null && !known.Contains(placement))
        {
            return Problems.BadRequest("Unknown placement", known.Count == 0
                ? $"No action declares placement '{placement}' (no action declares any). Leave placement out, or add \"placements\" to an action."
                : $"No action declares placement '{placement}'; known placements: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        if (limit is < 1 or > NextBestActionEngine.MaxLimit)
        {
            return Problems.BadRequest("Bad limit", $"limit must be between 1 and {NextBestActionEngine.MaxLimit} (default 3).");
        }

        if (await engine.DecideAsync(id, channel!, placement, limit ?? 3, ct) is not { } result)
        {
            return NoCustomer(id);
        }

        return TypedResults.Json(explain == true ? result : result with { Skipped = [] }, ServingJson.For(http).NextBestActions);
    }

    private static async Task<Results<Ok<OutcomeReply>, ProblemHttpResult>> OutcomeAsync(
        long id, long decisionId, OutcomeRequest? body, NextBestActionEngine engine, ConsentService consent, CancellationToken ct)
    {
        if (body?.Outcome is not { } outcome || !DecisionLog.Outcomes.Contains(outcome))
        {
            return Problems.BadRequest("Unknown outcome", $"Send {{\"outcome\": \"accepted\"}} or {{\"outcome\": \"ignored\"}}; got '{body?.Outcome}'.");
        }

        if (await consent.GetAsync(id, ct) is not { } customer)
        {
            return NoCustomer(id);
        }

        return await engine.RecordOutcomeAsync(customer.Customer, decisionId, outcome, ct) switch
        {
            OutcomeResult.Recorded => TypedResults.Ok(new OutcomeReply(decisionId, outcome)),
            OutcomeResult.AlreadyRecorded => Problems.Conflict($"Decision {decisionId} already has an outcome; each decision has one."),
            _ => Problems.NotFound($"Customer {id} has no decision {decisionId}; GET /v1/customers/{id}/decisions lists them."),
        };
    }

    private static async Task<Results<Ok<List<LoggedDecision>>, ProblemHttpResult>> DecisionsAsync(
        long id, ConsentService consent, Rapport.Core.Storage.IDatabase database, CancellationToken ct, int? limit)
    {
        if (limit is < 1 or > 200)
        {
            return Problems.BadRequest("Bad limit", "limit must be between 1 and 200 (default 50).");
        }

        return await consent.GetAsync(id, ct) is { } c ? TypedResults.Ok(await DecisionLog.ForCustomerAsync(database, c.Customer, limit ?? 50, ct)) : NoCustomer(id);
    }

    private static async Task<(ActionDefinition? Action, ProblemHttpResult? Problem)> ReadAsync(JsonObject? body, long id, ActionCatalog catalog, CancellationToken ct)
    {
        if (body is null)
        {
            return (null, Problems.BadRequest("Missing body", "Send an action as JSON, e.g. {\"name\": \"Lamp 10% off\", \"kind\": \"discount\", \"purpose\": \"marketing\", \"channels\": [\"web\", \"email\"]}; docs/next-best-action.md has every field."));
        }

        var segments = new Dictionary<long, bool>();
        if (body["segments"] is JsonArray ids)
        {
            foreach (var n in ids)
            {
                if (n is JsonValue v && v.TryGetValue<long>(out var segment))
                {
                    segments[segment] = await catalog.SegmentExistsAsync(segment, ct);
                }
            }
        }

        var (action, errors) = ActionDefinitionParser.Parse(body, id, s => segments.GetValueOrDefault(s), catalog.Fields);
        if (action is null)
        {
            var more = errors.Count > 1 ? $" ({errors.Count - 1} more in \"errors\")" : "";
            return (null, Problems.BadRequest("Invalid action", $"{errors[0]}{more}. Nothing was saved.", errors));
        }

        return (action, null);
    }

    private static ProblemHttpResult NoAction(long id) => Problems.NotFound($"There is no action {id}; GET /v1/actions lists them.");

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");

    private static async Task<Results<Ok<Rapport.Engine.Decisioning.Uplift>, ProblemHttpResult>> UpliftAsync(long id, IDatabase database, CancellationToken ct) =>
        await DecisionLog.UpliftAsync(database, id, ct) is { } uplift
            ? TypedResults.Ok(uplift)
            : Problems.NotFound($"There is no action {id}; GET /v1/actions lists them.");
}

internal sealed record OutcomeRequest(string? Outcome);

internal sealed record OutcomeReply(long DecisionId, string Outcome);
