using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <summary>
/// Enrolments follow identity merges. When customer B is merged into A (in the same write, via
/// the rebuild every merge triggers), B's enrolments and open tasks move to A, unless A is
/// already in that journey: then B's active enrolment ends ("merged into customer A", timers
/// dropped) so A is never in one journey twice, and B's finished one stays with B as history.
/// An undone merge moves nothing back: what moved stays with A, and the restored B enters
/// journeys again by their own next events, under the journey's re-entry rule.
/// </summary>
public sealed class JourneyMergeProjection : IEventProjection
{
    public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events) => Task.CompletedTask;

    public async Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        foreach (var customer in customers)
        {
            var survivor = await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, customer);
            if (survivor is { } into && into != customer)
            {
                await MoveAsync(unit, customer, into);
            }
        }
    }

    public static async Task MoveAsync(UnitOfWork unit, long absorbed, long survivor)
    {
        var c = unit.Connection;
        var tx = unit.Transaction;
        var rows = (await c.QueryAsync<(long Id, long Journey, string Occurrence, string Status)>(
            "SELECT id, journey_id, occurrence, status FROM journey_enrolments WHERE customer_id = @absorbed ORDER BY id", new { absorbed }, tx)).ToList();
        foreach (var (id, journey, occurrence, status) in rows)
        {
            var active = status == EnrolmentStatus.Active;
            var survivorActive = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM journey_enrolments WHERE journey_id = @journey AND customer_id = @survivor AND status = 'active'", new { journey, survivor }, tx) > 0;
            var sameOccurrence = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM journey_enrolments WHERE journey_id = @journey AND customer_id = @survivor AND occurrence = @occurrence",
                new { journey, survivor, occurrence }, tx) > 0;
            if (active && (survivorActive || sameOccurrence))
            {
                await c.ExecuteAsync("DELETE FROM journey_timers WHERE enrolment_id = @id", new { id }, tx);
                await c.ExecuteAsync(
                    "UPDATE journey_enrolments SET status = 'completed', ended_at = @now, updated_at = @now, exit_reason = @reason WHERE id = @id",
                    new { id, now = unit.Now, reason = $"merged into customer {survivor}" }, tx);
            }
            else if (!sameOccurrence)
            {
                await c.ExecuteAsync("UPDATE journey_enrolments SET customer_id = @survivor, updated_at = @now WHERE id = @id", new { id, survivor, now = unit.Now }, tx);
            }
        }

        await c.ExecuteAsync("UPDATE journey_tasks SET customer_id = @survivor WHERE customer_id = @absorbed AND status = 'open'", new { absorbed, survivor }, tx);
    }
}
