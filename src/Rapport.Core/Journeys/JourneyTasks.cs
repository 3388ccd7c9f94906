using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <param name="AlreadyClosed">True when it had been closed before: nothing changed.</param>
public sealed record ClosedTask(long Id, long JourneyId, long CustomerId, string Title, string Status, DateTimeOffset? ClosedAt, string? ClosedBy, string? Note, bool AlreadyClosed);

/// <summary>An account manager closes a task a journey created for them ("call Ann about her order").</summary>
public sealed class JourneyTasks(StoreWriter writer)
{
    public const string Open = "open";
    public const string Done = "done";

    /// <returns>Null for an unknown task.</returns>
    public Task<ClosedTask?> CloseAsync(long id, string by, string? note, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var closed = await unit.Connection.ExecuteAsync(
                "UPDATE journey_tasks SET status = @done, closed_at = @now, closed_by = @by, note = @note WHERE id = @id AND status = @open",
                new { id, done = Done, open = Open, now = unit.Now, by, note }, unit.Transaction);
            var row = await unit.Connection.QuerySingleOrDefaultAsync<(long Id, long Journey, long Customer, string Title, string Status, long? ClosedAt, string? By, string? Note)>(
                "SELECT id, journey_id, customer_id, title, status, closed_at, closed_by, note FROM journey_tasks WHERE id = @id", new { id }, unit.Transaction);
            return row.Id == 0
                ? null
                : new ClosedTask(row.Id, row.Journey, row.Customer, row.Title, row.Status, UnixTime.FromStorage(row.ClosedAt), row.By, row.Note, AlreadyClosed: closed == 0);
        }, ct);
}
