using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Identity;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;

namespace Rapport.Core.Erasure;

/// <param name="Request">The request as it is now (completed).</param>
/// <param name="Rows">Rows changed or removed per table; empty when it had been carried out before.</param>
/// <param name="AlreadyDone">True when the request was completed earlier: nothing was done again.</param>
public sealed record ErasureResult(ErasureRequest Request, IReadOnlyDictionary<string, long> Rows, bool AlreadyDone);

/// <summary>
/// Carries out an erasure request in one write: the customer (and every customer merged into
/// them) keeps their rows for aggregate analytics but loses everything that identifies or
/// describes them (docs/erasure.md). Runs inside the single writer because identifiers change,
/// then drops the identity cache so the old values are unknown from the next event on; derived
/// state (traits, carts, segment membership) is rebuilt from the scrubbed events before commit.
/// Running it again for a completed request changes nothing.
/// </summary>
public sealed class ErasureExecutor(StoreWriter writer, IdentityResolver identity, ErasedCustomers erased, ErasureRequests requests)
{
    /// <returns>Null for an unknown request.</returns>
    public async Task<ErasureResult?> ExecuteAsync(long requestId, string by, CancellationToken ct = default)
    {
        var result = await writer.WriteAsync<ErasureResult?>(async unit =>
        {
            var request = await requests.GetAsync(unit.Connection, unit.Transaction, requestId);
            if (request is null || request.Status == ErasureRequests.Completed)
            {
                return request is null ? null : new ErasureResult(request, new Dictionary<string, long>(), AlreadyDone: true);
            }

            var customer = await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, request.CustomerId) ?? request.CustomerId;
            var customers = await WithAbsorbedAsync(unit, customer);
            var counts = new ErasureCounts();
            await ErasedSuppressions.DeleteAsync(unit, customers, counts);
            var tokens = await ErasedIdentifiers.ReplaceAsync(unit, customers, counts);
            await ErasedContent.ScrubAsync(unit, customers, tokens, requestId, counts);

            foreach (var id in customers)
            {
                await unit.Connection.ExecuteAsync(
                    "INSERT INTO erased_customers (customer_id, request_id, erased_at) VALUES (@id, @requestId, @now) ON CONFLICT (customer_id) DO NOTHING",
                    new { id, requestId, now = unit.Now }, unit.Transaction);
                unit.CustomersToRebuild.Add(id);
            }

            var note = $"erased by {by}: {counts}";
            await unit.Connection.ExecuteAsync(
                "UPDATE erasure_requests SET status = @completed, completed_at = @now, note = @note WHERE id = @requestId",
                new { completed = ErasureRequests.Completed, now = unit.Now, note, requestId }, unit.Transaction);

            // Cached owners of the old values must not outlive this write; clearing is always safe.
            identity.ClearCache();
            unit.OnRollback(identity.ClearCache);
            unit.OnCommit(() => erased.Add(customers));
            return new ErasureResult(
                request with { Status = ErasureRequests.Completed, CompletedAt = unit.Clock.GetUtcNow(), Note = note }, counts.Rows, AlreadyDone: false);
        }, ct);
        return result;
    }

    /// <summary>The customer and everyone merged into them, at any depth.</summary>
    private static async Task<IReadOnlyList<long>> WithAbsorbedAsync(UnitOfWork unit, long customer)
    {
        var all = new List<long> { customer };
        var frontier = new List<long> { customer };
        while (frontier.Count > 0)
        {
            frontier = (await unit.Connection.QueryAsync<long>(
                $"SELECT id FROM customers WHERE merged_into IN {ValueList.Sql(unit.Dialect, "@frontier")}",
                new { frontier = ValueList.Of(unit.Dialect, frontier) }, unit.Transaction)).Where(id => !all.Contains(id)).ToList();
            all.AddRange(frontier);
        }

        return all;
    }
}
