using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Events;
using Rapport.Core.Keys;
using Rapport.Core.Preferences;
using Rapport.Engine.Profiling;

namespace Rapport.Http;

/// <summary>
/// Staff side of the preference centre and progressive profiling (admin key): a signed link for
/// a customer, the question for this interaction, answers, erasure requests. And the customer
/// side that is not a page: /preferences/{token}/export, the data download (the token is the key).
/// </summary>
internal static class PreferenceEndpoints
{
    /// <summary>Where a question can be asked: event channels plus the contact channels sms and push.</summary>
    public static readonly IReadOnlyList<string> AskChannels = [.. Channels.All, "sms", "push"];

    public static void MapPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Preferences");
        g.MapPost("/customers/{id:long}/preference-link", LinkAsync)
            .WithSummary("A signed link to the customer's preference centre (optional body {\"days\": 1-365}, default Rapport:Preferences:LinkDays)");
        g.MapGet("/customers/{id:long}/next-question", NextQuestionAsync)
            .WithSummary("At most one profiling question for this interaction (?channel=web), recorded as asked; null with a reason when none is due");
        g.MapPost("/customers/{id:long}/answers", AnswerAsync)
            .WithSummary("Store an answer {\"question\": \"values_most\", \"answer\": \"quality\"}: a trait and stated preference, and an event on the timeline");
        g.MapGet("/erasure-requests", ErasuresAsync).WithSummary("Customers' erasure requests (?status=pending|completed), oldest first, paged by ?after=ID");
        app.MapGet(PreferenceLinks.Path + "/{token}/export", ExportAsync).ExcludeFromDescription();
    }

    private static async Task<Results<Ok<LinkView>, ProblemHttpResult>> LinkAsync(
        long id, HttpRequest request, PreferenceLinks links, PreferenceCentre centre, CancellationToken ct)
    {
        TimeSpan? lifetime = null;
        if (request.ContentLength is > 0 || request.HasJsonContentType())
        {
            JsonObject? body;
            try
            {
                body = await request.ReadFromJsonAsync<JsonObject>(ct);
            }
            catch (JsonException e)
            {
                return Problems.BadRequest("Invalid JSON", $"The body is not JSON ({e.Message}); send {{\"days\": 30}} or nothing.");
            }

            if (body?["days"] is { } days)
            {
                if (days is not JsonValue v || !v.TryGetValue<int>(out var n) || n is < 1 or > 365)
                {
                    return Problems.BadRequest("Bad days", "days is a whole number from 1 to 365: how long the link works.");
                }

                lifetime = TimeSpan.FromDays(n);
            }
        }

        if (await centre.ReadAsync(id, ct) is not { } page)
        {
            return NoCustomer(id);
        }

        var link = await links.CreateAsync(page.Profile.Id, lifetime, ct);
        return TypedResults.Ok(new LinkView(link.CustomerId, link.Url, link.ExpiresAt));
    }

    private static async Task<Results<Ok<QuestionView>, ProblemHttpResult>> NextQuestionAsync(long id, string? channel, ProfilingService profiling, CancellationToken ct)
    {
        if (channel is null || !AskChannels.Contains(channel))
        {
            return Problems.BadRequest("Unknown channel", $"Pass ?channel= one of {string.Join(", ", AskChannels)}: where the question will be asked.");
        }

        return await profiling.NextAsync(id, channel, ct) is { } next
            ? TypedResults.Ok(new QuestionView(next.CustomerId, next.Question is { } q ? QuestionBody.Of(q) : null, next.Reason))
            : NoCustomer(id);
    }

    private static async Task<Results<Ok<ProfileAnswerView>, ProblemHttpResult>> AnswerAsync(long id, JsonObject? body, ProfilingService profiling, CancellationToken ct)
    {
        const string Example = "Send {\"question\": \"values_most\", \"answer\": \"quality\"}; interests take a list, birthday \"MM-DD\". GET /v1/customers/{id}/next-question shows a question and its options.";
        if (body is null)
        {
            return Problems.BadRequest("Missing body", Example);
        }

        var question = body["question"] is JsonValue qv && qv.TryGetValue<string>(out var qs) ? qs : null;
        var channel = body["channel"] is JsonValue cv && cv.TryGetValue<string>(out var cs) ? cs : "web";
        var source = body["source"] is JsonValue sv && sv.TryGetValue<string>(out var ss) && ss.Trim().Length is > 0 and <= 200 ? ss.Trim() : "api";
        List<string>? values = body["answer"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var one) => [one],
            JsonArray a when a.All(x => x is JsonValue e && e.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToList(),
            _ => null,
        };
        if (question is null || values is null)
        {
            return Problems.BadRequest("Invalid answer", (question is null ? "question is missing or not text. " : "answer is missing: give text or a list of texts. ") + Example);
        }

        if (!AskChannels.Contains(channel))
        {
            return Problems.BadRequest("Unknown channel", $"channel is one of {string.Join(", ", AskChannels)}: where the answer was given.");
        }

        var outcome = await profiling.AnswerAsync(id, question, values, source, channel, ct);
        return outcome switch
        {
            { Error: { } error } => Problems.BadRequest("Invalid answer", error + ". Nothing was recorded."),
            { CustomerId: { } customer, Answer: { } answer } => TypedResults.Ok(new ProfileAnswerView(customer, answer.Question.Id, answer.Question.Trait, answer.Values)),
            _ => NoCustomer(id),
        };
    }

    private static async Task<Results<Ok<ErasureList>, ProblemHttpResult>> ErasuresAsync(ErasureRequests erasures, CancellationToken ct, string? status, long? after, int? limit)
    {
        if (status is not null && !ErasureRequests.Statuses.Contains(status))
        {
            return Problems.BadRequest("Unknown status", $"status is one of {string.Join(", ", ErasureRequests.Statuses)}, or leave it out for all.");
        }

        if (limit is < 1 or > 500)
        {
            return Problems.BadRequest("Bad limit", "limit must be between 1 and 500.");
        }

        var items = await erasures.ListAsync(status, after ?? 0, limit ?? 100, ct);
        return TypedResults.Ok(new ErasureList(items, items.Count == (limit ?? 100) ? items[^1].Id : null));
    }

    /// <summary>The customer's data as a JSON file. A bad or expired token is a problem (404/410), never data.</summary>
    private static async Task<IResult> ExportAsync(string token, PreferenceLinks links, PreferenceCentre centre, TimeProvider clock, CancellationToken ct)
    {
        var check = await links.CheckAsync(token, ct);
        if (check.Status != LinkStatus.Valid || await centre.ExportAsync(check.CustomerId, clock.GetUtcNow(), ct) is not { } export)
        {
            return check.Status == LinkStatus.Expired
                ? Problems.Make(StatusCodes.Status410Gone, "Link expired", "This link to your preferences has expired. Every email we send has a fresh \"Manage your preferences\" link; use it, or ask us for a new one.")
                : Problems.Make(StatusCodes.Status404NotFound, "Link not valid", "This link is not valid (it may have been copied incompletely). Use the \"Manage your preferences\" link of a recent email, or ask us for a new one.");
        }

        var name = $"rapport-data-{export.Customer.Id.ToString(CultureInfo.InvariantCulture)}.json";
        return new DownloadResult(TypedResults.Json(export), name);
    }

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");

    /// <summary>Adds Content-Disposition: attachment so browsers save the file rather than show it.</summary>
    private sealed class DownloadResult(IResult inner, string fileName) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            httpContext.Response.Headers.CacheControl = "no-store";
            return inner.ExecuteAsync(httpContext);
        }
    }
}

internal sealed record LinkView(long CustomerId, string Url, DateTimeOffset ExpiresAt);

internal sealed record OptionView(string Value, string Label);

internal sealed record QuestionBody(string Id, string Text, string Kind, string Trait, IReadOnlyList<OptionView> Options)
{
    public static QuestionBody Of(ProfileQuestion q) => new(
        q.Id, q.Text, q.Kind switch { AnswerKind.OneOf => "one_of", AnswerKind.ManyOf => "many_of", AnswerKind.MonthDay => "month_day", _ => "text" },
        q.Trait, q.Options.Select(o => new OptionView(o.Value, o.Label)).ToList());
}

internal sealed record QuestionView(long CustomerId, QuestionBody? Question, string Reason);

internal sealed record ProfileAnswerView(long CustomerId, string Question, string Trait, IReadOnlyList<string> Values);

internal sealed record ErasureList(IReadOnlyList<ErasureRequest> Items, long? NextAfter);
