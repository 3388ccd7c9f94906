using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rapport.Core.Loyalty;
using Rapport.Engine.Loyalty;

namespace Rapport.Http;

/// <summary>Causes, customers' choices, points donations and the report per cause (mapped inside the loyalty group: admin key).</summary>
internal static class CauseEndpoints
{
    public static void MapCauseEndpoints(this RouteGroupBuilder g)
    {
        g.MapPost("/causes", AddAsync).WithSummary("Add a cause (a charity) to the catalogue");
        g.MapGet("/causes", async (Causes causes, CancellationToken ct, bool? all) => TypedResults.Ok(await causes.ListAsync(all ?? false, ct)))
            .WithSummary("The causes catalogue (active causes; all=true includes retired ones)");
        g.MapPost("/causes/{cid:long}/retire", async Task<Results<NoContent, ProblemHttpResult>> (long cid, Causes causes, CancellationToken ct) =>
                await causes.RetireAsync(cid, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no cause {cid}; list them at /v1/causes?all=true."))
            .WithSummary("Retire a cause: no new donations; the ledger and report keep what was given");
        g.MapGet("/causes/report", (CauseReports r, CancellationToken ct, string? from, string? to, string? format) => ReportAsync(r, null, from, to, format, ct))
            .WithSummary("Per cause: money donated (points and purchases, net of refunds), points, donations and donors in a period; format=csv");
        g.MapGet("/causes/{cid:long}/report", (long cid, CauseReports r, CancellationToken ct, string? from, string? to, string? format) => ReportAsync(r, cid, from, to, format, ct))
            .WithSummary("One cause's report for a period; format=csv");
        g.MapGet("/customers/{id:long}/causes", async Task<Results<Ok<IReadOnlyList<CustomerCause>>, ProblemHttpResult>> (long id, Causes causes, CancellationToken ct) =>
                await causes.ChoicesAsync(id, ct) is { } list ? TypedResults.Ok(list) : NoCustomer(id))
            .WithSummary("The causes a customer chose, with their points share and purchase percent");
        g.MapPut("/customers/{id:long}/causes", SetChoicesAsync).WithSummary("Replace the causes a customer chose");
        g.MapPost("/customers/{id:long}/causes/donate", DonateAsync).WithSummary("Donate points to a cause or split over the customer's causes");
        g.MapGet("/customers/{id:long}/donations", async Task<Results<Ok<IReadOnlyList<Donation>>, ProblemHttpResult>> (long id, Donations d, CancellationToken ct) =>
                await d.ForCustomerAsync(id, 500, ct) is { } list ? TypedResults.Ok(list) : NoCustomer(id))
            .WithSummary("The customer's donations (points and purchases, reversals negative), newest first");
    }

    private static async Task<Results<Created<Cause>, ProblemHttpResult>> AddAsync(CauseBody? body, Causes causes, CancellationToken ct)
    {
        if (Causes.Validate(body?.Name, body?.Description, body?.Url) is { } problem)
        {
            return Problems.BadRequest("Bad cause", problem);
        }

        var cause = await causes.AddAsync(body!.Name!.Trim(), body.Description, body.Url, ct);
        return TypedResults.Created($"/v1/causes/{cause.Id}", cause);
    }

    private static async Task<IResult> ReportAsync(CauseReports reports, long? causeId, string? from, string? to, string? format, CancellationToken ct)
    {
        DateOnly? fromDay = null, toDay = null;
        if ((from is not null && !TryDay(from, out fromDay)) || (to is not null && !TryDay(to, out toDay)))
        {
            return Problems.BadRequest("Bad period", "from and to are UTC days as yyyy-MM-dd (both included), e.g. from=2026-01-01&to=2026-03-31; leave either out for an open end.");
        }

        if (fromDay > toDay)
        {
            return Problems.BadRequest("Bad period", $"from {from} is after to {to}; swap them.");
        }

        var report = await reports.ReportAsync(fromDay, toDay, causeId, ct);
        if (causeId is { } cid && report.Causes.Count == 0)
        {
            return Problems.NotFound($"There is no cause {cid}; list them at /v1/causes?all=true.");
        }

        return AnalyticsEndpoints.Reply(format, report, CauseReports.Csv, "causes");
    }

    private static bool TryDay(string text, out DateOnly? day)
    {
        var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d);
        day = ok ? d : null;
        return ok;
    }

    private static async Task<Results<Ok<IReadOnlyList<CustomerCause>>, ProblemHttpResult>> SetChoicesAsync(long id, CauseChoicesBody? body, Causes causes, CancellationToken ct)
    {
        if (body?.Causes is null || body.Causes.Any(c => c.CauseId is null))
        {
            return Problems.BadRequest(
                "Causes required",
                "Send {\"causes\": [{\"causeId\": 1, \"pointsShare\": 1, \"purchasePercent\": 1}]}: pointsShare weighs the cause when points are donated, purchasePercent is the percent of each order given to it; an empty list removes all.");
        }

        var outcome = await causes.SetChoicesAsync(id, body.Causes.Select(c => new CauseChoice(c.CauseId!.Value, c.PointsShare ?? 1, c.PurchasePercent ?? 0)).ToList(), ct);
        return outcome switch
        {
            { NotFound: true } => NoCustomer(id),
            { Choices: { } list } => TypedResults.Ok(list),
            _ => Problems.BadRequest("Bad causes", outcome.Problem!),
        };
    }

    private static async Task<Results<Created<DonationResult>, Ok<DonationResult>, ProblemHttpResult>> DonateAsync(
        long id, DonateBody? body, Donations donations, HttpRequest request, CancellationToken ct)
    {
        var key = body?.IdempotencyKey ?? request.Headers["Idempotency-Key"].FirstOrDefault();
        if (body?.Points is not (>= 1 and <= LoyaltyLedger.MaxPoints))
        {
            return Problems.BadRequest("Bad points", $"points must be a whole number between 1 and {LoyaltyLedger.MaxPoints}, e.g. {{\"points\": 500, \"causeId\": 1}}.");
        }

        if (key is { Length: > LoyaltyLedger.MaxReferenceLength })
        {
            return Problems.BadRequest("Bad idempotency key", $"idempotencyKey is longer than {LoyaltyLedger.MaxReferenceLength} characters; use a short unique id such as a UUID.");
        }

        var r = await donations.DonatePointsAsync(id, body.Points.Value, body.CauseId, key, ct);
        switch (r.Status)
        {
            case DonationStatus.Done:
                return TypedResults.Created($"/v1/customers/{id}/donations", r);
            case DonationStatus.Duplicate:
                return TypedResults.Ok(r);
            case DonationStatus.NoCustomer:
                return NoCustomer(id);
            case DonationStatus.NoCause:
                return Problems.Make(StatusCodes.Status422UnprocessableEntity, "No cause", r.Problem!);
        }

        var problem = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Not enough points", Detail = r.Problem };
        problem.Extensions["balance"] = r.Balance;
        return TypedResults.Problem(problem);
    }

    private static ProblemHttpResult NoCustomer(long id) =>
        Problems.NotFound($"There is no customer {id}. Find customers with /v1/customers?search=TEXT or /v1/customers/lookup?kind=email&value=ADDRESS.");
}

/// <summary>POST /v1/causes.</summary>
internal sealed record CauseBody(string? Name, string? Description, string? Url);

/// <summary>PUT /v1/customers/{id}/causes.</summary>
internal sealed record CauseChoicesBody(IReadOnlyList<CauseChoiceBody>? Causes);

internal sealed record CauseChoiceBody(long? CauseId, decimal? PointsShare, decimal? PurchasePercent);

/// <summary>POST /v1/customers/{id}/causes/donate: points, an optional cause (else split over the customer's causes) and an idempotency key.</summary>
internal sealed record DonateBody(long? Points, long? CauseId, string? IdempotencyKey);
