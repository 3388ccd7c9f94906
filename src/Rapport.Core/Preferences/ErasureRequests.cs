using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Storage;

namespace Rapport.Core.Preferences;

public sealed record ErasureRequest(long Id, long CustomerId, string Source, string Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, string? Note);

/// <summary>
/// A customer's request to be forgotten: recorded as a pending request staff see
/// (GET /v1/erasure-requests) and as an "Erasure Requested" event on the timeline, in one
/// transaction. Asking twice while a request is pending returns the pending one; asking for an
/// erased customer returns the completed request. Carrying it out: Erasure/ErasureExecutor.
/// </summary>
public sealed class ErasureRequests(IDatabase database, StoreWriter writer, EventWriter events, TimeProvider clock)
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public static readonly IReadOnlyList<string> Statuses = [Pending, Completed];

    private const string Columns = "id AS Id, customer_id AS CustomerId, source AS Source, status AS Status, requested_at AS RequestedAt, completed_at AS CompletedAt, note AS Note";

    /// <returns>The pending request, or null for an unknown customer.</returns>
    public Task<ErasureRequest?> RequestAsync(long id, string source, string channel, CancellationToken ct = default) =>
        writer.WriteAsync<ErasureRequest?>(async unit =>
        {
            if (await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, id) is not { } customer)
            {
                return null;
            }

            if (await PendingAsync(unit.Connection, unit.Transaction, customer) is { } open)
            {
                return open;
            }

            // Already erased (a stale link or page): the request that did it is the answer.
            if (await unit.Connection.QueryFirstOrDefaultAsync<Row>(
                    $"SELECT {Columns} FROM erasure_requests WHERE id = (SELECT request_id FROM erased_customers WHERE customer_id = @customer)",
                    new { customer }, unit.Transaction) is { } done)
            {
                return done.View();
            }

            var at = clock.GetUtcNow();
            var requestId = await unit.Connection.ExecuteScalarAsync<long>(
                "INSERT INTO erasure_requests (customer_id, source, status, requested_at) VALUES (@customer, @source, @status, @at) RETURNING id",
                new { customer, source, status = Pending, at = UnixTime.ToStorage(at) }, unit.Transaction);
            if ((await StrongestIdentifiers.ForAsync(unit, [customer])).TryGetValue(customer, out var who))
            {
                await events.WriteAsync(unit, [CustomerEvents.Track(who, CustomerEvents.ErasureRequested, channel, at,
                    new JsonObject { ["request_id"] = requestId, ["source"] = source })]);
            }

            return new ErasureRequest(requestId, customer, source, Pending, at, null, null);
        }, ct);

    public async Task<ErasureRequest?> PendingAsync(long customer, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await PendingAsync(c, null, customer);
    }

    /// <summary>Requests by status, oldest first (the order staff should work through them), paged by id.</summary>
    public async Task<IReadOnlyList<ErasureRequest>> ListAsync(string? status, long afterId, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM erasure_requests WHERE (@status IS NULL OR status = @status) AND id > @afterId ORDER BY id LIMIT @limit",
            new { status, afterId, limit })).Select(r => r.View()).ToList();
    }

    public async Task<ErasureRequest?> GetAsync(long requestId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await GetAsync(c, null, requestId);
    }

    public async Task<ErasureRequest?> GetAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long requestId) =>
        (await c.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM erasure_requests WHERE id = @requestId", new { requestId }, tx))?.View();

    private static async Task<ErasureRequest?> PendingAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long customer) =>
        (await c.QueryFirstOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM erasure_requests WHERE customer_id = @customer AND status = @status ORDER BY id", new { customer, status = Pending }, tx))?.View();

    private sealed record Row(long Id, long CustomerId, string Source, string Status, long RequestedAt, long? CompletedAt, string? Note)
    {
        public ErasureRequest View() => new(Id, CustomerId, Source, Status, UnixTime.FromStorage(RequestedAt), UnixTime.FromStorage(CompletedAt), Note);
    }
}
