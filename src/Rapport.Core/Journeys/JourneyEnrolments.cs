using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;

namespace Rapport.Core.Journeys;

public static class EnrolmentStatus
{
    public const string Active = "active";

    /// <summary>The journey ran to its end without the goal.</summary>
    public const string Completed = "completed";

    /// <summary>The goal was reached (the cart was bought): the conversion uplift counts.</summary>
    public const string Converted = "converted";

    public static readonly IReadOnlyList<string> All = [Active, Completed, Converted];
}

/// <summary>Entering and leaving journeys, in the caller's transaction. Prepared statements: this runs once per customer of a 100,000-customer entry.</summary>
internal static class JourneyEnrolments
{
    /// <summary>
    /// Enrols a customer unless the re-entry rule says no or this occurrence was already enrolled.
    /// The first step runs when the runner next looks at due timers (the timer is due now), so
    /// enrolling is cheap inside the ingest-side transaction and a crash in between loses nothing.
    /// </summary>
    /// <returns>The new enrolment's id, or null.</returns>
    public static async Task<long?> EnrolAsync(UnitOfWork unit, LoadedJourney journey, long customer, string occurrence, JourneyTimeline timeline)
    {
        var blocking = journey.Definition.Reentry == JourneyReentry.Once
            ? "SELECT id FROM journey_enrolments WHERE journey_id = @journey AND customer_id = @customer LIMIT 1"
            : "SELECT id FROM journey_enrolments WHERE journey_id = @journey AND customer_id = @customer AND status = 'active' LIMIT 1";
        if (Long(await unit.Statement(blocking, "@journey", "@customer").ScalarAsync(journey.Id, customer)) is not null)
        {
            return null;
        }

        var now = unit.Now;
        var control = journey.InControl(customer) ? 1L : 0L;
        var id = Long(await unit.Statement(
                """
                INSERT INTO journey_enrolments (journey_id, version, customer_id, occurrence, control, status, step, moves, entered_at, updated_at)
                VALUES (@journey, @version, @customer, @occurrence, @control, 'active', NULL, 0, @now, @now)
                ON CONFLICT (journey_id, customer_id, occurrence) DO NOTHING RETURNING id
                """,
                "@journey", "@version", "@customer", "@occurrence", "@control", "@now")
            .ScalarAsync(journey.Id, journey.Version, customer, occurrence, control, now));
        if (id is not { } created)
        {
            return null;
        }

        await unit.Statement("INSERT INTO journey_timers (enrolment_id, due_at) VALUES (@id, @now)", "@id", "@now").ExecuteAsync(created, now);
        timeline.Add($"journey:{created}:entered", customer, JourneyTimeline.Entered, new JsonObject
        {
            ["journey_id"] = journey.Id,
            ["journey"] = journey.Definition.Name,
            ["enrolment_id"] = created,
            ["group"] = control == 1 ? "control" : "treated",
        });
        return created;
    }

    /// <summary>Ends a customer's active enrolments in the given journeys because their goal happened.</summary>
    public static async Task<int> ConvertAsync(UnitOfWork unit, IReadOnlyList<LoadedJourney> journeys, long customer, string goal, JourneyTimeline timeline)
    {
        var ended = 0;
        foreach (var journey in journeys)
        {
            var id = Long(await unit.Statement(
                    """
                    UPDATE journey_enrolments SET status = 'converted', ended_at = @now, updated_at = @now, exit_reason = @reason
                    WHERE journey_id = @journey AND customer_id = @customer AND status = 'active' RETURNING id
                    """,
                    "@now", "@reason", "@journey", "@customer")
                .ScalarAsync(unit.Now, "goal: " + goal, journey.Id, customer));
            if (id is not { } enrolment)
            {
                continue;
            }

            await unit.Statement("DELETE FROM journey_timers WHERE enrolment_id = @id", "@id").ExecuteAsync(enrolment);
            timeline.Add($"journey:{enrolment}:exited", customer, JourneyTimeline.Exited, new JsonObject
            {
                ["journey_id"] = journey.Id,
                ["journey"] = journey.Definition.Name,
                ["enrolment_id"] = enrolment,
                ["reason"] = "goal: " + goal,
            });
            ended++;
        }

        return ended;
    }

    internal static long? Long(object? value) =>
        value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
}
