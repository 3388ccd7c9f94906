using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Customers;
using Rapport.Core.Keys;
using Rapport.Core.Segments;
using Rapport.Engine.Segments;

namespace Rapport.Http;

/// <summary>
/// Segments: save (JSON or text definition), preview, list, members, counts, recompute, delete,
/// and a customer's segments (admin key). Definition mistakes are 400 problems whose "errors"
/// give each mistake's position (JSON path, or line and column of the text) and reason.
/// </summary>
internal static class SegmentEndpoints
{
    public const int MaxSample = 100;

    public static void MapSegmentEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Segments");
        g.MapPost("/segments", CreateAsync).WithSummary("Save a segment (definition as JSON or text) and start computing its members; ?wait=true waits for them");
        g.MapPost("/segments/preview", PreviewAsync).WithSummary("How many customers a definition selects now, and a sample, without saving");
        g.MapGet("/segments", ListAsync).WithSummary("Every segment with its size and status");
        g.MapGet("/segments/{id:long}", GetAsync).WithSummary("One segment, with the latest recomputation's progress");
        g.MapGet("/segments/{id:long}/members", MembersAsync).WithSummary("Current members by customer id, paged by cursor");
        g.MapGet("/segments/{id:long}/count", CountAsync).WithSummary("How many customers are in the segment now");
        g.MapPost("/segments/{id:long}/recompute", RecomputeAsync).WithSummary("Recompute memberships from the store (202 with progress; ?wait=true waits)");
        g.MapDelete("/segments/{id:long}", DeleteAsync).WithSummary("Delete a segment and its memberships");
        g.MapGet("/customers/{id:long}/segments", CustomerSegmentsAsync).WithSummary("The segments a customer is in now");
    }

    private static async Task<Results<Created<SegmentDetail>, Ok<SegmentDetail>, ProblemHttpResult>> CreateAsync(
        SegmentRequest body, SegmentService segments, SegmentStore store, bool? wait, CancellationToken ct)
    {
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > SegmentService.MaxNameLength)
        {
            return Problems.BadRequest("Invalid segment name", $"Give the segment a \"name\" of 1 to {SegmentService.MaxNameLength} characters.",
                new[] { ErrorView.Of(new SegmentError(SourcePosition.AtPath("$.name"), "a segment needs a name")) });
        }

        var parsed = segments.Read(body.Definition, body.Text);
        if (parsed.Definition is not { } definition)
        {
            return InvalidDefinition(parsed);
        }

        if (await segments.CreateAsync(name, definition, ct) is not { } created)
        {
            return Problems.Conflict($"A segment named '{name}' exists already; pick another name or delete that one (GET /v1/segments lists them).");
        }

        if (wait == true)
        {
            await created.Job.Completion.WaitAsync(ct);
        }

        var detail = SegmentDetail.Of((await store.GetAsync(created.Id, ct))!, created.Job.Status);
        return TypedResults.Created($"/v1/segments/{created.Id}", detail);
    }

    private static async Task<Results<Ok<PreviewReply>, ProblemHttpResult>> PreviewAsync(PreviewRequest body, SegmentService segments, CancellationToken ct)
    {
        if (body.Sample is < 0 or > MaxSample)
        {
            return Problems.BadRequest("Bad sample size", $"\"sample\" is between 0 and {MaxSample} (default 20).");
        }

        var parsed = segments.Read(body.Definition, body.Text);
        if (parsed.Definition is not { } definition)
        {
            return InvalidDefinition(parsed);
        }

        var preview = await segments.PreviewAsync(definition, body.Sample ?? 20, ct);
        return TypedResults.Ok(new PreviewReply(preview.Count, preview.Customers, preview.Sample, preview.Text, preview.Definition));
    }

    private static async Task<Ok<IReadOnlyList<SegmentView>>> ListAsync(SegmentStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(ct));

    private static async Task<Results<Ok<SegmentDetail>, ProblemHttpResult>> GetAsync(long id, SegmentStore store, SegmentJobs jobs, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } s ? TypedResults.Ok(SegmentDetail.Of(s, jobs.Latest?.Status)) : NoSegment(id);

    private static async Task<Results<Ok<SegmentMemberPage>, ProblemHttpResult>> MembersAsync(
        long id, SegmentStore store, CancellationToken ct, int? limit, string? cursor)
    {
        if (!SegmentStore.IsValidCursor(cursor))
        {
            return Problems.BadRequest("Bad cursor", "Pass back the 'nextCursor' of the previous page unchanged.");
        }

        if (limit is < 1 or > SegmentStore.MaxPageSize)
        {
            return Problems.BadRequest("Bad limit", $"limit must be between 1 and {SegmentStore.MaxPageSize}.");
        }

        return await store.GetAsync(id, ct) is null ? NoSegment(id) : TypedResults.Ok(await store.MembersAsync(id, limit ?? 100, cursor, ct));
    }

    private static async Task<Results<Ok<CountReply>, ProblemHttpResult>> CountAsync(long id, SegmentStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } s ? TypedResults.Ok(new CountReply(id, s.Status, await store.CountAsync(id, ct))) : NoSegment(id);

    private static async Task<Results<Accepted<RecomputeStatus>, Ok<RecomputeStatus>, ProblemHttpResult>> RecomputeAsync(
        long id, SegmentStore store, SegmentService segments, bool? wait, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is null)
        {
            return NoSegment(id);
        }

        var job = segments.Recompute();
        if (wait != true)
        {
            return TypedResults.Accepted($"/v1/segments/{id}", job.Status);
        }

        await job.Completion.WaitAsync(ct);
        return job.Status.State == "failed"
            ? Problems.Make(StatusCodes.Status500InternalServerError, "Recomputation failed", job.Status.Error ?? "unknown error")
            : TypedResults.Ok(job.Status);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, SegmentService segments, CancellationToken ct) =>
        await segments.DeleteAsync(id, ct) ? TypedResults.NoContent() : NoSegment(id);

    private static async Task<Results<Ok<IReadOnlyList<CustomerSegment>>, ProblemHttpResult>> CustomerSegmentsAsync(
        long id, CustomerQueries customers, SegmentStore store, CancellationToken ct) =>
        await customers.GetAsync(id, ct) is null
            ? Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT.")
            : TypedResults.Ok(await store.ForCustomerAsync(id, ct));

    private static ProblemHttpResult InvalidDefinition(SegmentParseResult parsed)
    {
        var first = parsed.Errors[0];
        var more = parsed.Errors.Count > 1 ? $" ({parsed.Errors.Count - 1} more in \"errors\")" : "";
        return Problems.BadRequest("Invalid segment definition", $"{first}{more}. The grammar and fields are in docs/segments.md.", parsed.Errors.Select(ErrorView.Of).ToList());
    }

    private static ProblemHttpResult NoSegment(long id) => Problems.NotFound($"There is no segment {id}; GET /v1/segments lists them.");
}

/// <summary>Save a segment: a name and a definition as JSON ("definition") or as text ("text").</summary>
internal sealed record SegmentRequest(string? Name, JsonNode? Definition, string? Text);

/// <summary>Preview a definition (JSON or text); "sample" member ids (default 20).</summary>
internal sealed record PreviewRequest(JsonNode? Definition, string? Text, int? Sample);

internal sealed record PreviewReply(long Count, long Customers, IReadOnlyList<long> Sample, string Text, JsonNode Definition);

internal sealed record CountReply(long SegmentId, string Status, long Count);

/// <summary>A definition mistake: position as text ("line 1, column 13" or a JSON path) and as parts.</summary>
internal sealed record ErrorView(string Position, string? Path, int? Line, int? Column, string Reason)
{
    public static ErrorView Of(SegmentError e) =>
        new(e.Position.ToString(), e.Position.Path, e.Position.Path is null ? e.Position.Line : null, e.Position.Path is null ? e.Position.Column : null, e.Reason);
}

internal sealed record SegmentDetail(
    long Id, string Name, string Text, JsonNode Definition, string Status, long Members,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ComputedAt, RecomputeStatus? Recompute)
{
    public static SegmentDetail Of(SegmentView s, RecomputeStatus? recompute) =>
        new(s.Id, s.Name, s.Text, s.Definition, s.Status, s.Members, s.CreatedAt, s.UpdatedAt, s.ComputedAt, recompute);
}
