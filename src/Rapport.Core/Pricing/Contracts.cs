using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Pricing;

namespace Rapport.Core.Pricing;

/// <summary>A contract as shown, with its status today and how far the minimum commitment is met (orders in the term, not cancelled).</summary>
public sealed record Contract(
    long Id, long? CustomerId, long? SegmentId, string Name, IReadOnlyDictionary<string, decimal> Prices, decimal DiscountPercent,
    DateOnly StartDate, DateOnly EndDate, decimal MinimumCommitment, string Status, decimal Spent, decimal Shortfall);

/// <summary>What to create: either CustomerId or SegmentId.</summary>
public sealed record ContractSpec(
    long? CustomerId, long? SegmentId, string? Name, IReadOnlyDictionary<string, decimal>? Prices, decimal? DiscountPercent,
    DateOnly? StartDate, DateOnly? EndDate, decimal? MinimumCommitment);

/// <summary>Contracts for business accounts (docs/pricing.md). Writes go through the single writer.</summary>
public sealed class Contracts(StoreWriter writer, TimeProvider clock)
{
    private const string Columns =
        "id AS Id, customer_id AS CustomerId, segment_id AS SegmentId, name AS Name, prices AS Prices, discount_percent_e4 AS Discount, " +
        "start_day AS StartDay, end_day AS EndDay, minimum_e4 AS Minimum, cancelled AS Cancelled";

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Null and a problem when the spec is wrong or names no existing customer / segment.</summary>
    public Task<(Contract? Contract, string? Problem)> AddAsync(ContractSpec s, CancellationToken ct = default)
    {
        if (ContractRules.Validate(s.CustomerId, s.SegmentId, s.StartDate, s.EndDate, s.DiscountPercent, s.MinimumCommitment, s.Prices) is { } problem)
        {
            return Task.FromResult<(Contract?, string?)>((null, problem));
        }

        return writer.WriteAsync<(Contract?, string?)>(
            async unit =>
            {
                var exists = s.CustomerId is { } cid
                    ? await unit.Connection.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @cid AND merged_into IS NULL", new { cid }, unit.Transaction)
                    : await unit.Connection.ExecuteScalarAsync<long?>("SELECT id FROM segments WHERE id = @sid", new { sid = s.SegmentId }, unit.Transaction);
                if (exists is null)
                {
                    return (null, s.CustomerId is not null ? $"There is no customer {s.CustomerId}." : $"There is no segment {s.SegmentId}; list them at /v1/segments.");
                }

                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO contracts (customer_id, segment_id, name, prices, discount_percent_e4, start_day, end_day, minimum_e4, cancelled, created_at, updated_at)
                    VALUES (@CustomerId, @SegmentId, @name, @prices, @discount, @start, @end, @minimum, 0, @now, @now) RETURNING id
                    """,
                    new
                    {
                        s.CustomerId, s.SegmentId, name = string.IsNullOrWhiteSpace(s.Name) ? "Contract" : s.Name.Trim(),
                        prices = JsonSerializer.Serialize(s.Prices ?? new Dictionary<string, decimal>()), discount = Money.ToStorage(s.DiscountPercent ?? 0),
                        start = s.StartDate!.Value.DayNumber, end = s.EndDate!.Value.DayNumber, minimum = Money.ToStorage(s.MinimumCommitment ?? 0), now = unit.Now,
                    },
                    unit.Transaction);
                return (await GetAsync(unit.Connection, unit.Transaction, id), null);
            },
            ct);
    }

    /// <summary>Cancels a contract (it stops applying at once); null when there is no such contract.</summary>
    public Task<Contract?> CancelAsync(long id, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit => await unit.Connection.ExecuteAsync(
                "UPDATE contracts SET cancelled = 1, updated_at = @now WHERE id = @id", new { id, now = unit.Now }, unit.Transaction) == 1
                ? await GetAsync(unit.Connection, unit.Transaction, id)
                : null,
            ct);

    public async Task<Contract?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        return await GetAsync(c, null, id);
    }

    /// <summary>All contracts, or those of one customer (their own and their segments').</summary>
    public async Task<IReadOnlyList<Contract>> ListAsync(long? customerId, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM contracts {(customerId is null ? "" : ForCustomer)} ORDER BY id", new { customerId });
        var list = new List<Contract>();
        foreach (var r in rows)
        {
            list.Add(await ViewAsync(c, null, r));
        }

        return list;
    }

    /// <summary>The terms of the customer's contracts in force today (active; expired, pending and cancelled ones do not apply).</summary>
    internal async Task<IReadOnlyList<ContractTerms>> InForceAsync(DbConnection c, long customerId)
    {
        var today = Today;
        var rows = await c.QueryAsync<Row>($"SELECT {Columns} FROM contracts {ForCustomer}", new { customerId });
        return rows.Where(r => ContractRules.Status(r.Cancelled == 1, DateOnly.FromDayNumber((int)r.StartDay), DateOnly.FromDayNumber((int)r.EndDay), today) == ContractRules.Active)
            .Select(r => new ContractTerms(r.Id, r.PriceMap(), Money.FromStorage(r.Discount)))
            .ToList();
    }

    private const string ForCustomer =
        "WHERE customer_id = @customerId OR segment_id IN (SELECT segment_id FROM segment_members WHERE customer_id = @customerId)";

    private async Task<Contract?> GetAsync(DbConnection c, DbTransaction? t, long id) =>
        await c.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM contracts WHERE id = @id", new { id }, t) is { } row ? await ViewAsync(c, t, row) : null;

    private async Task<Contract> ViewAsync(DbConnection c, DbTransaction? t, Row r)
    {
        var start = DateOnly.FromDayNumber((int)r.StartDay);
        var end = DateOnly.FromDayNumber((int)r.EndDay);
        var from = UnixTime.ToStorage(new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var to = UnixTime.ToStorage(new DateTimeOffset(end.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var who = r.CustomerId is not null
            ? "customer_id = @CustomerId"
            : "customer_id IN (SELECT customer_id FROM segment_members WHERE segment_id = @SegmentId)";
        var spent = Money.FromStorage(await c.ExecuteScalarAsync<long>(
            $"SELECT COALESCE(SUM(total_e4), 0) FROM orders WHERE {who} AND placed_at >= @from AND placed_at < @to AND status <> 'cancelled'",
            new { r.CustomerId, r.SegmentId, from, to },
            t));
        var minimum = Money.FromStorage(r.Minimum);
        return new Contract(
            r.Id, r.CustomerId, r.SegmentId, r.Name, r.PriceMap(), Money.FromStorage(r.Discount), start, end, minimum,
            ContractRules.Status(r.Cancelled == 1, start, end, Today), spent, ContractRules.Shortfall(minimum, spent));
    }

    private sealed class Row
    {
        public long Id { get; init; }

        public long? CustomerId { get; init; }

        public long? SegmentId { get; init; }

        public string Name { get; init; } = "";

        public string Prices { get; init; } = "{}";

        public long Discount { get; init; }

        public long StartDay { get; init; }

        public long EndDay { get; init; }

        public long Minimum { get; init; }

        public long Cancelled { get; init; }

        public IReadOnlyDictionary<string, decimal> PriceMap() => JsonSerializer.Deserialize<Dictionary<string, decimal>>(Prices) ?? [];
    }
}
