using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Decisioning;

namespace Rapport.Core.Journeys;

public sealed record EnrolmentView(
    long Id, long JourneyId, long Version, long CustomerId, string Group, string Status, string? Step, long Moves,
    DateTimeOffset EnteredAt, DateTimeOffset? EndedAt, string? ExitReason, DateTimeOffset? NextAt);

public sealed record StepView(string Step, string Type, string Outcome, string? Detail, DateTimeOffset TakenAt);

public sealed record GroupStats(long Enrolled, long Active, long Converted, long Completed, long MessagesQueued);

/// <summary>A journey's figures: both groups, the steps taken by outcome, and the conversion uplift of treated over control.</summary>
public sealed record JourneyStats(long JourneyId, GroupStats Treated, GroupStats Control, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Steps, Uplift Uplift);

public sealed record TaskView(long Id, long JourneyId, long CustomerId, string Title, string? Assignee, string Status, DateTimeOffset? DueAt, DateTimeOffset CreatedAt);

/// <summary>Reads for staff and the API: enrolments (keyset paging by id), their steps, per-journey stats, open tasks.</summary>
public sealed class JourneyQueries(IDatabase database)
{
    public async Task<IReadOnlyList<EnrolmentView>> EnrolmentsAsync(long journey, string? status, long? customer, long? afterId, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(
            """
            SELECT e.id, e.journey_id AS JourneyId, e.version, e.customer_id AS CustomerId, e.control, e.status, e.step, e.moves,
                   e.entered_at AS EnteredAt, e.ended_at AS EndedAt, e.exit_reason AS ExitReason, t.due_at AS DueAt
            FROM journey_enrolments e LEFT JOIN journey_timers t ON t.enrolment_id = e.id
            WHERE e.journey_id = @journey AND (@status IS NULL OR e.status = @status) AND (@customer IS NULL OR e.customer_id = @customer)
              AND e.id > @after
            ORDER BY e.id LIMIT @limit
            """,
            new { journey, status, customer, after = afterId ?? 0, limit });
        return rows.Select(r => r.View()).ToList();
    }

    public async Task<IReadOnlyList<StepView>> StepsAsync(long enrolment, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(string Step, string Type, string Outcome, string? Detail, long At)>(
                "SELECT step, type, outcome, detail, taken_at FROM journey_steps WHERE enrolment_id = @enrolment ORDER BY move, taken_at",
                new { enrolment }))
            .Select(r => new StepView(r.Step, r.Type, r.Outcome, r.Detail, UnixTime.FromStorage(r.At))).ToList();
    }

    public async Task<JourneyStats> StatsAsync(long journey, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var counts = (await c.QueryAsync<(long Control, string Status, long N)>(
            "SELECT control, status, COUNT(*) FROM journey_enrolments WHERE journey_id = @journey GROUP BY control, status", new { journey })).ToList();
        var queued = (await c.QueryAsync<(long Control, long N)>(
            """
            SELECT e.control, COUNT(*) FROM journey_steps s JOIN journey_enrolments e ON e.id = s.enrolment_id
            WHERE e.journey_id = @journey AND s.outcome = 'queued' GROUP BY e.control
            """, new { journey })).ToDictionary(r => r.Control, r => r.N);
        var steps = (await c.QueryAsync<(string Step, string Outcome, long N)>(
                """
                SELECT s.step, s.outcome, COUNT(*) FROM journey_steps s JOIN journey_enrolments e ON e.id = s.enrolment_id
                WHERE e.journey_id = @journey GROUP BY s.step, s.outcome
                """, new { journey }))
            .GroupBy(r => r.Step, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(r => r.Outcome, r => r.N, StringComparer.Ordinal), StringComparer.Ordinal);

        GroupStats Group(long control)
        {
            long N(string? status) => counts.Where(r => r.Control == control && (status is null || r.Status == status)).Sum(r => r.N);
            return new GroupStats(N(null), N(EnrolmentStatus.Active), N(EnrolmentStatus.Converted), N(EnrolmentStatus.Completed), queued.GetValueOrDefault(control));
        }

        var treated = Group(0);
        var held = Group(1);
        return new JourneyStats(journey, treated, held, steps, Uplift.Compute(treated.Enrolled, treated.Converted, held.Enrolled, held.Converted));
    }

    public async Task<IReadOnlyList<TaskView>> TasksAsync(string? status, int limit, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(long Id, long Journey, long Customer, string Title, string? Assignee, string Status, long? Due, long Created)>(
                "SELECT id, journey_id, customer_id, title, assignee, status, due_at, created_at FROM journey_tasks WHERE (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit",
                new { status, limit }))
            .Select(r => new TaskView(r.Id, r.Journey, r.Customer, r.Title, r.Assignee, r.Status, UnixTime.FromStorage(r.Due), UnixTime.FromStorage(r.Created))).ToList();
    }

    private sealed record Row(
        long Id, long JourneyId, long Version, long CustomerId, long Control, string Status, string? Step, long Moves,
        long EnteredAt, long? EndedAt, string? ExitReason, long? DueAt)
    {
        public EnrolmentView View() => new(
            Id, JourneyId, Version, CustomerId, Control == 1 ? "control" : "treated", Status, Step, Moves,
            UnixTime.FromStorage(EnteredAt), UnixTime.FromStorage(EndedAt), ExitReason, UnixTime.FromStorage(DueAt));
    }
}
