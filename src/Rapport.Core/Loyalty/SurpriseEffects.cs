using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>A staff task (e.g. a handwritten note for the account manager).</summary>
public sealed record StaffTask(long Id, long CustomerId, string Kind, string Title, string? Assignee, long? GiftId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? DoneAt);

/// <summary>
/// GET /v1/surprises/{id}/effect: treated against control, counted from each customer's first
/// surprise or hold-out in the programme, over customers whose window of <c>days</c> has ended
/// (so early and late recipients are compared over the same length of time). Retained = at least
/// one order (not cancelled) in the window; spend = the total of those orders.
/// </summary>
public sealed class SurpriseEffects(StoreWriter writer, TimeProvider clock)
{
    public async Task<SurpriseEffect?> EffectAsync(long programId, int days, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM surprise_programs WHERE id = @programId", new { programId }) is null)
        {
            return null;
        }

        var window = (long)TimeSpan.FromDays(days).TotalMilliseconds;
        var rows = await c.QueryAsync<(long Customer, long Control, long Orders, long Spend)>(
            """
            SELECT x.customer_id, x.control, COUNT(o.order_id), COALESCE(SUM(o.total_e4), 0)
            FROM (SELECT customer_id, MAX(control) AS control, MIN(at) AS first_at FROM surprise_gifts WHERE program_id = @programId GROUP BY customer_id) x
            LEFT JOIN orders o ON o.customer_id = x.customer_id AND o.placed_at > x.first_at AND o.placed_at <= x.first_at + @window AND o.status <> 'cancelled'
            WHERE x.first_at + @window <= @now
            GROUP BY x.customer_id, x.control
            """,
            new { programId, window, now = UnixTime.ToStorage(clock.GetUtcNow()) });
        return SurpriseEffect.Compute(days, rows.Select(r => (r.Control == 1, r.Orders > 0, Money.FromStorage(r.Spend))).ToList());
    }

    public async Task<IReadOnlyList<StaffTask>> TasksAsync(string? status, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, long CustomerId, string Kind, string Title, string? Assignee, long? GiftId, string Status, long CreatedAt, long? DoneAt)>(
            $"""
            SELECT id, customer_id, kind, title, assignee, gift_id, status, created_at, done_at FROM staff_tasks
            {(status is null ? "" : "WHERE status = @status")} ORDER BY id LIMIT 1000
            """,
            new { status });
        return rows.Select(r => new StaffTask(r.Id, r.CustomerId, r.Kind, r.Title, r.Assignee, r.GiftId, r.Status, UnixTime.FromStorage(r.CreatedAt), UnixTime.FromStorage(r.DoneAt)))
            .ToList();
    }

    /// <summary>Marks a task done; false when there is no such task.</summary>
    public async Task<bool> CompleteTaskAsync(long id, CancellationToken ct = default) =>
        await writer.WriteAsync(
            async unit => await unit.Connection.ExecuteAsync(
                "UPDATE staff_tasks SET status = 'done', done_at = COALESCE(done_at, @now) WHERE id = @id", new { id, now = unit.Now }, unit.Transaction) == 1,
            ct);
}
