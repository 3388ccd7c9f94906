using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

public sealed record LotView(long Id, string Kind, long Points, long Remaining, DateTimeOffset EarnedAt, DateTimeOffset? ExpiresAt, string? OrderId);

public sealed record NextExpiry(DateTimeOffset At, long Points);

public sealed record TierProgress(string NextTier, decimal Needed);

/// <summary>GET /v1/customers/{id}/loyalty: balance, lots, next expiry, tier and progress to the next tier.</summary>
public sealed record LoyaltyAccount(
    long CustomerId,
    long Balance,
    decimal BalanceValue,
    string Tier,
    DateTimeOffset? TierGraceUntil,
    string TierBasis,
    decimal Qualifying,
    TierProgress? Progress,
    NextExpiry? NextExpiry,
    IReadOnlyList<LotView> Lots);

/// <summary>The loyalty part of the customer profile.</summary>
public sealed record LoyaltySummary(long Balance, string Tier, TierProgress? Progress, NextExpiry? NextExpiry);

public sealed record LedgerLine(long Id, long LotId, long? OperationId, string Kind, long Points, DateTimeOffset At);

public sealed record LedgerPage(IReadOnlyList<LedgerLine> Items, long? NextBefore);

/// <summary>Reads of the loyalty state. The balance shown already leaves out lots past their expiry that the nightly job has not reached yet.</summary>
public sealed class LoyaltyQueries(IDatabase database, LoyaltyProgramStore programs, TimeProvider clock)
{
    public const int MaxPageSize = 500;

    /// <summary>Null when there is no such customer. A merged customer's account is the survivor's.</summary>
    public async Task<LoyaltyAccount?> AccountAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var owner = await OwnerAsync(c, customerId);
        if (owner is not { } id)
        {
            return null;
        }

        var program = await programs.GetAsync(c, null, ct);
        var now = clock.GetUtcNow();
        var lots = (await c.QueryAsync<LotStore.LotRow>(
            $"SELECT {LotStore.LotRow.Columns} FROM loyalty_lots WHERE customer_id = @id AND remaining <> 0", new { id })).Select(r => r.ToLot()).ToList();
        var ledger = new PointLedger(lots);
        ledger.ExpireDue(now);
        var state = await c.QuerySingleOrDefaultAsync<(string Tier, long? BelowSince)?>(
            "SELECT tier, below_since FROM loyalty_accounts WHERE customer_id = @id", new { id });
        var tier = state?.Tier is { } t && program.Tier(t) is not null ? t : program.BaseTier.Name;
        var qualifying = await LoyaltyTiers.QualifyingAsync(c, null, program, id, now);
        var progress = TierRules.Progress(program, tier, qualifying);
        var next = ledger.NextExpiry();
        return new LoyaltyAccount(
            id,
            ledger.Balance,
            ledger.Balance * program.PointValue,
            tier,
            state?.BelowSince is { } b ? UnixTime.FromStorage(b).AddDays(program.TierGraceDays) : null,
            program.TierBasis,
            qualifying,
            progress is { } p ? new TierProgress(p.Tier, p.Needed) : null,
            next is { } n ? new NextExpiry(n.At, n.Points) : null,
            ledger.Lots.Where(l => l.Remaining != 0)
                .Select(l => new LotView(l.Id, l.Kind, l.Points, l.Remaining, l.EarnedAt, l.ExpiresAt, l.OrderId)).ToList());
    }

    /// <summary>The profile's loyalty summary; null for a customer never in the programme (no lots, no tier).</summary>
    public async Task<LoyaltySummary?> SummaryAsync(long customerId, CancellationToken ct = default) =>
        await AccountAsync(customerId, ct) is { } a && (a.Lots.Count > 0 || a.Tier != (await programs.GetAsync(ct)).BaseTier.Name || a.Qualifying != 0)
            ? new LoyaltySummary(a.Balance, a.Tier, a.Progress, a.NextExpiry)
            : null;

    /// <summary>The append-only ledger, newest first; pass NextBefore back as before for the next page.</summary>
    public async Task<LedgerPage?> LedgerAsync(long customerId, int limit, long? before, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        if (await OwnerAsync(c, customerId) is not { } id)
        {
            return null;
        }

        var rows = (await c.QueryAsync<(long Id, long LotId, long? OperationId, string Kind, long Points, long At)>(
            """
            SELECT id, lot_id, operation_id, kind, points, at FROM loyalty_entries
            WHERE customer_id = @id AND id < @before
            ORDER BY id DESC LIMIT @take
            """,
            new { id, before = before ?? long.MaxValue, take = limit + 1 })).ToList();
        var items = rows.Take(limit).Select(r => new LedgerLine(r.Id, r.LotId, r.OperationId, r.Kind, r.Points, UnixTime.FromStorage(r.At))).ToList();
        return new LedgerPage(items, rows.Count > limit ? items[^1].Id : null);
    }

    private static async Task<long?> OwnerAsync(System.Data.Common.DbConnection c, long customerId)
    {
        long? current = customerId;
        for (var hops = 0; hops < 64 && current is { } id; hops++)
        {
            var row = await c.QuerySingleOrDefaultAsync<(long Id, long? MergedInto)?>("SELECT id, merged_into FROM customers WHERE id = @id", new { id });
            if (row is not { } r)
            {
                return null;
            }

            if (r.MergedInto is null)
            {
                return r.Id;
            }

            current = r.MergedInto;
        }

        return current;
    }
}
