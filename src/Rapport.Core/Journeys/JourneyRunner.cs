using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Messaging;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;
using Rapport.Engine.Segments;

namespace Rapport.Core.Journeys;

/// <summary>
/// Advances enrolments whose timer fell due (new enrolments are due at once). Per batch: read
/// the due enrolments, answer their conditions from one snapshot load, walk each to its next wait
/// or its end (<see cref="JourneyWalker"/>), perform the actions (<see cref="JourneyActions"/>),
/// then one write: move each enrolment only if it is still where it was read (an exit or another
/// runner may have moved it), re-arm or drop its timer, enqueue its messages, log every step and
/// put it on the timeline. A crash before the write redoes the advance with the same keys, so
/// the outbox stores each message once; a crash after it finds nothing due.
/// </summary>
public sealed class JourneyRunner(
    IDatabase database, StoreWriter writer, JourneyCatalog catalog, JourneyActions actions, Outbox outbox, SnapshotLoader snapshots, TimeProvider clock)
{
    public const int Batch = 2_000;

    /// <returns>How many enrolments moved.</returns>
    public async Task<int> RunDueAsync(CancellationToken ct = default)
    {
        var total = 0;
        while (true)
        {
            var (moved, read) = await RunBatchAsync(ct);
            total += moved;
            if (read < Batch)
            {
                return total;
            }
        }
    }

    /// <summary>When the earliest timer is due (null: none), so the host can sleep until then.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return UnixTime.FromStorage(await c.ExecuteScalarAsync<long?>(
            "SELECT MIN(t.due_at) FROM journey_timers t JOIN journey_enrolments e ON e.id = t.enrolment_id JOIN journeys j ON j.id = e.journey_id WHERE j.status = 'active'"));
    }

    private async Task<(int Moved, int Read)> RunBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var versions = await catalog.CurrentAsync(ct);
        List<Due> due;
        Dictionary<long, CustomerSnapshot> facts = [];
        Dictionary<long, HashSet<string>> memberships = [];
        Dictionary<long, long> cadence = [];
        await using (var c = await database.OpenAsync(ct))
        {
            due = (await c.QueryAsync<Due>(
                """
                SELECT t.enrolment_id AS Id, e.journey_id AS JourneyId, e.version, e.customer_id AS CustomerId, e.control, e.step, e.moves
                FROM journey_timers t JOIN journey_enrolments e ON e.id = t.enrolment_id JOIN journeys j ON j.id = e.journey_id
                WHERE t.due_at <= @now AND j.status = 'active' AND e.status = 'active'
                ORDER BY t.due_at, t.enrolment_id LIMIT @Batch
                """,
                new { now = UnixTime.ToStorage(now), Batch })).ToList();
            if (due.Count == 0)
            {
                return (0, 0);
            }

            var today = SegmentSet.DayOf(UnixTime.ToStorage(now));
            foreach (var group in due.GroupBy(d => (d.JourneyId, d.Version)))
            {
                if (versions.TryGetValue(group.Key, out var j) && j.Conditions.Segments.Count > 0)
                {
                    foreach (var (id, s) in await snapshots.LoadAsync(c, null, database.Dialect, j.Conditions, group.Select(d => d.CustomerId).Distinct().ToList(), today, ct: ct))
                    {
                        facts[id] = s;
                    }
                }
            }

            var customers = ValueList.Of(database.Dialect, due.Select(d => d.CustomerId).Distinct().ToList());
            if (versions.Values.Any(j => j.Definition.Steps.OfType<ConditionStep>().Any(s => s.InSegment is not null)))
            {
                foreach (var (customer, id, name) in await c.QueryAsync<(long, long, string)>(
                             $"SELECT m.customer_id, s.id, s.name FROM segment_members m JOIN segments s ON s.id = m.segment_id WHERE m.customer_id IN {ValueList.Sql(database.Dialect, "@customers")}",
                             new { customers }))
                {
                    var set = memberships.TryGetValue(customer, out var x) ? x : memberships[customer] = new HashSet<string>(StringComparer.Ordinal);
                    set.Add(name);
                    set.Add(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            if (versions.Values.Any(j => j.Definition.Steps.OfType<WaitStep>().Any(w => w.UntilCadence)))
            {
                cadence = (await c.QueryAsync<(long, long)>(
                        $"SELECT customer_id, MIN(next_purchase_at) FROM customer_cadence WHERE next_purchase_at > @now AND customer_id IN {ValueList.Sql(database.Dialect, "@customers")} GROUP BY customer_id",
                        new { now = UnixTime.ToStorage(now), customers }))
                    .ToDictionary(r => r.Item1, r => r.Item2);
            }
        }

        var plans = new List<Plan>(due.Count);
        var batch = await actions.PrepareAsync(due.Where(d => d.Control == 0).Select(d => d.CustomerId).Distinct().ToList(), ct);
        foreach (var d in due)
        {
            if (!versions.TryGetValue((d.JourneyId, d.Version), out var journey))
            {
                plans.Add(new Plan(d, null, new JourneyWalk([], null), null, []));
                continue;
            }

            var today = SegmentSet.DayOf(UnixTime.ToStorage(now));
            var from = d.Step is null ? journey.Definition.Start : journey.Definition.Step(d.Step)?.Next;
            var walk = JourneyWalker.Walk(journey.Definition, from, condition => condition.If is not null
                ? facts.TryGetValue(d.CustomerId, out var s) && journey.Conditions.Matches(s, journey.ConditionIndex[condition.Id], today)
                : memberships.TryGetValue(d.CustomerId, out var m) && m.Contains(condition.InSegment!));
            DateTimeOffset? wakeAt = walk.WaitingAt is { } wait
                ? JourneyWaits.DueAt(wait, now, cadence.TryGetValue(d.CustomerId, out var next) ? UnixTime.FromStorage(next) : null)
                : null;
            var results = await actions.PerformAsync(batch, d.Id, d.Moves, d.CustomerId, d.Control == 1, d.JourneyId, walk.Taken, now, ct);
            plans.Add(new Plan(d, journey, walk, wakeAt, results));
        }

        var moved = await writer.WriteAsync(unit => ApplyAsync(unit, plans, ct), ct);
        if (plans.Any(p => p.Results.Any(r => r.Message is not null)))
        {
            outbox.Notify();
        }

        return (moved, due.Count);
    }

    private async Task<int> ApplyAsync(UnitOfWork unit, List<Plan> plans, CancellationToken ct)
    {
        var timeline = new JourneyTimeline();
        var moved = 0;
        var now = unit.Now;
        foreach (var p in plans)
        {
            var d = p.Due;
            var finished = p.Walk.Finished;
            var reason = p.Journey is null ? "its definition can no longer be read" : finished ? "completed" : null;
            var changed = await unit.Statement(
                    """
                    UPDATE journey_enrolments SET step = @step, moves = moves + 1, status = @status, updated_at = @now, ended_at = @ended, exit_reason = @reason
                    WHERE id = @id AND moves = @moves AND status = 'active'
                    """,
                    "@step", "@status", "@now", "@ended", "@reason", "@id", "@moves")
                .ExecuteAsync(p.Walk.WaitingAt?.Id, finished ? EnrolmentStatus.Completed : EnrolmentStatus.Active, now, finished ? now : null, reason, d.Id, d.Moves);
            if (changed == 0)
            {
                continue; // moved or ended since it was read: this advance is void
            }

            moved++;
            if (p.WakeAt is { } wake)
            {
                await unit.Statement("UPDATE journey_timers SET due_at = @due WHERE enrolment_id = @id", "@due", "@id").ExecuteAsync(UnixTime.ToStorage(wake), d.Id);
            }
            else
            {
                await unit.Statement("DELETE FROM journey_timers WHERE enrolment_id = @id", "@id").ExecuteAsync(d.Id);
            }

            foreach (var r in p.Results)
            {
                await unit.Statement(
                        "INSERT INTO journey_steps (enrolment_id, move, step, type, outcome, detail, taken_at) VALUES (@id, @move, @step, @type, @outcome, @detail, @now) ON CONFLICT (enrolment_id, move, step) DO NOTHING",
                        "@id", "@move", "@step", "@type", "@outcome", "@detail", "@now")
                    .ExecuteAsync(d.Id, d.Moves, r.Step.Id, r.Step.Type, r.Outcome, r.Detail, now);
                if (r.Message is { } message)
                {
                    await outbox.EnqueueAsync(unit, message);
                }

                if (r.Task is { } task)
                {
                    await unit.Statement(
                            "INSERT INTO journey_tasks (task_key, journey_id, customer_id, title, assignee, status, due_at, created_at) VALUES (@key, @journey, @customer, @title, @assignee, 'open', @due, @now) ON CONFLICT (task_key) DO NOTHING",
                            "@key", "@journey", "@customer", "@title", "@assignee", "@due", "@now")
                        .ExecuteAsync(task.Key, task.JourneyId, task.CustomerId, task.Title, task.Assignee, task.DueAt, now);
                }

                timeline.Add($"journey:{d.Id}:{d.Moves}:{r.Step.Id}", d.CustomerId, JourneyTimeline.Step, new JsonObject
                {
                    ["journey_id"] = d.JourneyId,
                    ["journey"] = p.Journey?.Definition.Name,
                    ["enrolment_id"] = d.Id,
                    ["step"] = r.Step.Id,
                    ["type"] = r.Step.Type,
                    ["outcome"] = r.Outcome,
                    ["detail"] = r.Detail,
                });
            }

            if (finished)
            {
                timeline.Add($"journey:{d.Id}:exited", d.CustomerId, JourneyTimeline.Exited, new JsonObject
                {
                    ["journey_id"] = d.JourneyId,
                    ["journey"] = p.Journey?.Definition.Name,
                    ["enrolment_id"] = d.Id,
                    ["reason"] = reason,
                });
            }
        }

        await timeline.FlushAsync(unit, ct);
        return moved;
    }

    private sealed record Due(long Id, long JourneyId, long Version, long CustomerId, long Control, string? Step, long Moves);

    private sealed record Plan(Due Due, LoadedJourney? Journey, JourneyWalk Walk, DateTimeOffset? WakeAt, List<StepResult> Results);
}
