using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Pricing;
using Rapport.Engine.Pricing;

namespace Rapport.Http;

/// <summary>Volume pricing rules, quotes and business contracts (mapped inside the loyalty group: admin key).</summary>
internal static class PricingEndpoints
{
    public static void MapPricingEndpoints(this RouteGroupBuilder g)
    {
        g.MapPost("/pricing/rules", AddRuleAsync).WithSummary("Add a volume pricing rule: quantity breaks for a product or a category");
        g.MapGet("/pricing/rules", async (VolumePricing p, CancellationToken ct) => TypedResults.Ok(await p.RulesAsync(ct))).WithSummary("Active volume pricing rules");
        g.MapDelete("/pricing/rules/{rid:long}", async Task<Results<NoContent, ProblemHttpResult>> (long rid, VolumePricing p, CancellationToken ct) =>
                await p.RemoveRuleAsync(rid, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no pricing rule {rid}; list them at /v1/pricing/rules."))
            .WithSummary("Retire a volume pricing rule");
        g.MapPost("/pricing/quote", QuoteAsync).WithSummary("Price lines for a customer: volume breaks and contract prices, the lowest applies");
        g.MapPost("/contracts", AddContractAsync).WithSummary("Create a contract for a business account or a segment: prices, discount, term, minimum commitment");
        g.MapGet("/contracts", async (Contracts c, CancellationToken ct, long? customerId) => TypedResults.Ok(await c.ListAsync(customerId, ct)))
            .WithSummary("Contracts (customerId: that customer's own and their segments') with status and commitment progress");
        g.MapGet("/contracts/{cid:long}", async Task<Results<Ok<Contract>, ProblemHttpResult>> (long cid, Contracts c, CancellationToken ct) =>
                await c.GetAsync(cid, ct) is { } contract ? TypedResults.Ok(contract) : NoContract(cid))
            .WithSummary("One contract");
        g.MapPost("/contracts/{cid:long}/cancel", async Task<Results<Ok<Contract>, ProblemHttpResult>> (long cid, Contracts c, CancellationToken ct) =>
                await c.CancelAsync(cid, ct) is { } contract ? TypedResults.Ok(contract) : NoContract(cid))
            .WithSummary("Cancel a contract: it stops applying at once");
    }

    private static async Task<Results<Created<VolumeRule>, ProblemHttpResult>> AddRuleAsync(RuleBody? body, VolumePricing pricing, CancellationToken ct)
    {
        var rule = new VolumeRule(0, body?.Scope ?? "", body?.Target?.Trim() ?? "", body?.Breaks ?? []);
        if (rule.Validate() is { } problem)
        {
            return Problems.BadRequest("Bad pricing rule", problem);
        }

        var saved = await pricing.AddRuleAsync(rule, ct);
        return TypedResults.Created($"/v1/pricing/rules/{saved.Id}", saved);
    }

    private static async Task<Results<Ok<Quote>, ProblemHttpResult>> QuoteAsync(QuoteBody? body, VolumePricing pricing, CancellationToken ct)
    {
        if (body?.Lines is not { Count: > 0 and <= VolumePricing.MaxLines } lines
            || lines.Any(l => string.IsNullOrWhiteSpace(l.Sku) || l.Quantity is not (>= 1 and <= 1_000_000) || l.Price is < 0))
        {
            return Problems.BadRequest(
                "Bad quote",
                $"Send {{\"customerId\": 42, \"lines\": [{{\"sku\": \"COFFEE-1KG\", \"quantity\": 12}}]}}: 1 to {VolumePricing.MaxLines} lines, each with a sku, a quantity from 1 to 1000000 and optionally a price of 0 or more.");
        }

        var (quote, problem) = await pricing.QuoteAsync(body.CustomerId, lines.Select(l => new QuoteRequestLine(l.Sku!, l.Quantity!.Value, l.Price)).ToList(), ct);
        return quote is not null ? TypedResults.Ok(quote)
            : problem!.StartsWith("There is no customer", StringComparison.Ordinal) ? Problems.NotFound(problem)
            : Problems.BadRequest("No price", problem);
    }

    private static async Task<Results<Created<Contract>, ProblemHttpResult>> AddContractAsync(ContractSpec? body, Contracts contracts, CancellationToken ct)
    {
        if (body is null)
        {
            return Problems.BadRequest("Contract required", "Send {\"customerId\": 42, \"startDate\": \"2026-01-01\", \"endDate\": \"2026-12-31\", \"discountPercent\": 8, \"prices\": {\"SKU\": 9.50}, \"minimumCommitment\": 5000}.");
        }

        var (contract, problem) = await contracts.AddAsync(body, ct);
        return contract is not null ? TypedResults.Created($"/v1/contracts/{contract.Id}", contract) : Problems.BadRequest("Bad contract", problem!);
    }

    private static ProblemHttpResult NoContract(long cid) => Problems.NotFound($"There is no contract {cid}; list them at /v1/contracts.");
}

/// <summary>POST /v1/pricing/rules.</summary>
internal sealed record RuleBody(string? Scope, string? Target, IReadOnlyList<PriceBreak>? Breaks);

/// <summary>POST /v1/pricing/quote.</summary>
internal sealed record QuoteBody(long? CustomerId, IReadOnlyList<QuoteLineBody>? Lines);

internal sealed record QuoteLineBody(string? Sku, long? Quantity, decimal? Price);
