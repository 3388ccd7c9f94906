using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Analytics;

/// <summary>Journeys and enrolments written straight into the store for the journey analytics and page tests.</summary>
public static class JourneyTestData
{
    /// <summary>A wait, a send and an exit, with a goal and the given control share (null: none named, the default 0.1).</summary>
    public static string Definition(string name, double? controlGroup) =>
        $$"""
        {"name": "{{name}}", "trigger": {"event": "Product Added"}, "goal": {"event": "Order Completed"},
         {{(controlGroup is { } g ? $"\"controlGroup\": {g.ToString(System.Globalization.CultureInfo.InvariantCulture)}," : "")}}
         "steps": [{"id": "pause", "type": "wait", "duration": "1h"}, {"id": "reminder", "type": "send", "template": "cart"}, {"id": "done", "type": "exit"}]}
        """;

    public static async Task JourneyAsync(IDatabase db, long id, string name, string status, long version, double? controlGroup)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            "INSERT INTO journeys (id, name, status, version, created_at, updated_at) VALUES (@id, @name, @status, @version, 0, 0)",
            new { id, name, status, version });
        for (long v = 1; v <= version; v++)
        {
            await c.ExecuteAsync(
                "INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (@id, @v, @definition, 0)",
                new { id, v, definition = Definition(v == version ? name : name + " (old)", v == version ? controlGroup : 0.5) });
        }
    }

    private static long _customer = 5_000_000;

    /// <summary><paramref name="count"/> enrolments of one journey on one side, all in one status; returns their ids.</summary>
    public static async Task<List<long>> EnrolmentsAsync(IDatabase db, long journey, bool control, string status, int count)
    {
        await using var c = await db.OpenAsync();
        var ids = new List<long>();
        for (int i = 0; i < count; i++)
        {
            var customer = Interlocked.Increment(ref _customer);
            ids.Add(await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO journey_enrolments (journey_id, version, customer_id, occurrence, control, status, step, moves, entered_at, updated_at)
                VALUES (@journey, 1, @customer, 'test', @control, @status, NULL, 0, 0, 0) RETURNING id
                """,
                new { journey, customer, control = control ? 1L : 0L, status }));
        }

        return ids;
    }

    public static async Task StepAsync(IDatabase db, long enrolment, string step, string type, string outcome)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            "INSERT INTO journey_steps (enrolment_id, move, step, type, outcome, detail, taken_at) VALUES (@enrolment, 1, @step, @type, @outcome, NULL, 0)",
            new { enrolment, step, type, outcome });
    }
}
