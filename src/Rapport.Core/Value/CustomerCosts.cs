using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Value;

/// <summary>
/// The kinds of cost that can be recorded against a customer. Rewards (what we gave the
/// customer: reward, gift, surprise, donation) add to reward_cost_e4; the cost of serving them
/// (service, support, shipping, other) to service_cost_e4. Both come off the margin.
/// </summary>
public static class CostKinds
{
    public static readonly IReadOnlyList<string> Rewards = ["reward", "gift", "surprise", "donation"];

    public static readonly IReadOnlyList<string> Service = ["service", "support", "shipping", "other"];

    public static readonly IReadOnlyList<string> All = [.. Rewards, .. Service];

    public static bool IsKnown(string kind) => All.Contains(kind);
}

/// <summary>One cost in the ledger. CustomerId is who carries it now; RecordedFor the id it was recorded against.</summary>
public sealed record CostEntry(
    long Id, long CustomerId, long RecordedFor, string Kind, decimal Amount, DateTimeOffset At, string? Reference, string? Note);

/// <summary>The result of recording a cost: the entry, whether it was a retry of one already stored, and the customer's value after it.</summary>
public sealed record CostRecorded(CostEntry Entry, bool Duplicate, CustomerValueView? Value);

/// <summary>
/// The customer_costs ledger: rewards and service recorded against customers, which come off
/// their margin. A reference makes recording idempotent (the same customer, kind and
/// reference is stored once), so callers can retry safely.
/// </summary>
public sealed class CustomerCosts(StoreWriter writer, ValuePopulationCache population)
{
    public const int MaxReferenceLength = 200;

    /// <summary>What is wrong with a cost, or null when it can be recorded.</summary>
    public static string? Validate(string? kind, decimal? amount, string? reference)
    {
        if (kind is null || !CostKinds.IsKnown(kind))
        {
            return $"kind '{kind}' is not a cost kind; use one of {string.Join(", ", CostKinds.All)} (rewards: {string.Join(", ", CostKinds.Rewards)}; the rest are service costs).";
        }

        if (amount is not { } a || a == 0 || Math.Abs(a) >= 100_000_000_000m)
        {
            return "amount must be a non-zero number of currency units, e.g. 12.50 (a negative amount corrects an earlier cost).";
        }

        if (decimal.Round(a, 4) != a)
        {
            return $"amount {a} has more than 4 decimal places; money is stored to 1/10,000 of a unit.";
        }

        if (reference is { Length: > MaxReferenceLength })
        {
            return $"reference is longer than {MaxReferenceLength} characters; use a short id such as a ticket number.";
        }

        return null;
    }

    /// <summary>
    /// Records a cost and recomputes the customer's value in the same transaction. A customer
    /// merged into another has the cost carried by the survivor. Null when there is no such customer.
    /// </summary>
    public async Task<CostRecorded?> RecordAsync(
        long customerId, string kind, decimal amount, DateTimeOffset? at, string? reference, string? note, CancellationToken ct = default)
    {
        if (Validate(kind, amount, reference) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        return await writer.WriteAsync(
            async unit =>
            {
                var exists = await unit.Connection.ExecuteScalarAsync<long?>(
                    "SELECT id FROM customers WHERE id = @customerId", new { customerId }, unit.Transaction);
                if (exists is null)
                {
                    return null;
                }

                var owner = await OwnerAsync(unit, customerId, []);
                unit.CustomersChanged.Add(owner); // the reciprocity balance cached for next best action is read again
                var id = await unit.Connection.ExecuteScalarAsync<long?>(
                    """
                    INSERT INTO customer_costs (customer_id, recorded_for, kind, amount_e4, at, reference, note, created_at)
                    VALUES (@owner, @customerId, @kind, @amount, @at, @reference, @note, @now)
                    ON CONFLICT (recorded_for, kind, reference) DO NOTHING
                    RETURNING id
                    """,
                    new
                    {
                        owner, customerId, kind, amount = Money.ToStorage(amount), at = at is { } t ? UnixTime.ToStorage(t) : unit.Now,
                        reference, note, now = unit.Now,
                    },
                    unit.Transaction);
                var duplicate = id is null;
                var row = await unit.Connection.QuerySingleAsync<CostRow>(
                    $"""
                    SELECT id AS Id, customer_id AS CustomerId, recorded_for AS RecordedFor, kind AS Kind, amount_e4 AS Amount,
                           at AS At, reference AS Reference, note AS Note
                    FROM customer_costs
                    WHERE {(duplicate ? "recorded_for = @customerId AND kind = @kind AND reference = @reference" : "id = @id")}
                    """,
                    new { id, customerId, kind, reference },
                    unit.Transaction);
                if (!duplicate)
                {
                    await CustomerValueUpdater.RefreshAsync(
                        unit, [row.CustomerId], await population.GetAsync(unit.Connection, unit.Transaction, ct), ct);
                }

                var value = await ValueQueries.ReadValueAsync(unit.Connection, unit.Transaction, row.CustomerId, ct);
                return new CostRecorded(
                    new CostEntry(row.Id, row.CustomerId, row.RecordedFor, row.Kind, Money.FromStorage(row.Amount), UnixTime.FromStorage(row.At), row.Reference, row.Note),
                    duplicate,
                    value?.ToView());
            },
            ct);
    }

    /// <summary>
    /// After merges or an undo among <paramref name="customers"/>: every cost recorded for or
    /// carried by them moves to whoever its recorded customer is now. Returns the customers whose
    /// costs changed hands, so their value is recomputed too.
    /// </summary>
    internal static async Task<IReadOnlyCollection<long>> ReassignAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        var moved = new HashSet<long>();
        foreach (var chunk in customers.Chunk(CustomerValueUpdater.ChunkSize))
        {
            var parameters = new DynamicParameters();
            var carried = SqlList.In("customer_id", chunk, parameters, "a");
            var recorded = SqlList.In("recorded_for", chunk, parameters, "a");
            var costs = await unit.Connection.QueryAsync<(long Id, long CustomerId, long RecordedFor)>(
                $"SELECT id, customer_id, recorded_for FROM customer_costs WHERE {carried} OR {recorded}", parameters, unit.Transaction);
            var owners = new Dictionary<long, long>();
            foreach (var (id, carrier, recordedFor) in costs)
            {
                if (!owners.TryGetValue(recordedFor, out var owner))
                {
                    owners[recordedFor] = owner = await OwnerAsync(unit, recordedFor, []);
                }

                if (owner != carrier)
                {
                    await unit.Connection.ExecuteAsync(
                        "UPDATE customer_costs SET customer_id = @owner WHERE id = @id", new { owner, id }, unit.Transaction);
                    moved.Add(owner);
                    moved.Add(carrier);
                }
            }
        }

        return moved;
    }

    /// <summary>Follows merged_into to the customer that carries this one's history now.</summary>
    private static async Task<long> OwnerAsync(UnitOfWork unit, long customerId, HashSet<long> seen)
    {
        var current = customerId;
        while (seen.Add(current))
        {
            var next = await unit.Connection.ExecuteScalarAsync<long?>(
                "SELECT merged_into FROM customers WHERE id = @current", new { current }, unit.Transaction);
            if (next is not { } n)
            {
                break;
            }

            current = n;
        }

        return current;
    }

    private sealed class CostRow
    {
        public long Id { get; init; }

        public long CustomerId { get; init; }

        public long RecordedFor { get; init; }

        public string Kind { get; init; } = "";

        public long Amount { get; init; }

        public long At { get; init; }

        public string? Reference { get; init; }

        public string? Note { get; init; }
    }
}
