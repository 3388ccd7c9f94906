using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Analytics;
using Rapport.Core.Storage;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// What the later analytics pages read, added to the dashboard scenario's store: funnel events
/// over the last 30 days (every customer views; 40% add, half of those start a checkout, 60% of
/// those order), on the web or the app so some customers are multichannel, and 20 actions with
/// 50 decisions per customer-thousand each (10% control, outcomes drawn), bulk-inserted
/// (<see cref="BulkStore"/>). Then each report's first computation is timed: the pages read
/// them from the cache afterwards.
/// </summary>
internal static class RelationshipSeed
{
    public static async Task<long> SeedAsync(BulkStore store)
    {
        var random = new Random(11);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(); // the real clock, as the scenario's server runs
        var customers = (await store.Connection.QueryAsync<long>("SELECT id FROM customers ORDER BY id")).ToList();
        for (int a = 1; a <= 20; a++)
        {
            await store.ExecuteAsync(
                "INSERT INTO actions (id, name, kind, definition, created_at, updated_at) VALUES (@a, @name, @kind, '{}', 0, 0)",
                new { a, name = $"action {a}", kind = new[] { "discount", "reward", "surprise", "product_offer" }[a % 4] });
        }

        // One journey (paused: the server's runner leaves the hand-made enrolments alone).
        await store.ExecuteAsync("INSERT INTO journeys (id, name, status, version, created_at, updated_at) VALUES (1, 'cart rescue', 'paused', 1, 0, 0)");
        await store.ExecuteAsync(
            """
            INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (1, 1,
              '{"name": "cart rescue", "trigger": {"event": "Product Added"}, "goal": {"event": "Order Completed"}, "steps": [{"id": "pause", "type": "wait", "duration": "1h"}, {"id": "reminder", "type": "send", "template": "cart"}]}', 0)
            """);

        string[] steps = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"];
        double[] onward = [0, 0.4, 0.5, 0.6];
        var rows = new List<object?[]>();
        foreach (var customer in customers)
        {
            var channel = random.NextDouble() < 0.3 ? "app" : "web";
            var at = now - random.NextInt64(30L * 86_400_000);
            for (int k = 0; k < steps.Length && (k == 0 || random.NextDouble() < onward[k]); k++)
            {
                rows.Add([$"bench-{customer}-{k}", "track", steps[k], channel, customer, "email", $"c{customer}", at + (k * 60_000), at + (k * 60_000), "{}"]);
            }
        }

        await store.InsertAsync("events", ["message_id", "type", "name", "channel", "customer_id", "id_kind", "id_value", "occurred_at", "received_at", "properties"], rows);

        var decisions = new List<object?[]>();
        foreach (var customer in customers.Where(_ => random.NextDouble() < 0.05))
        {
            var action = 1 + random.Next(20);
            var control = random.NextDouble() < 0.1 ? 1L : 0L;
            var outcome = random.NextDouble() switch { < 0.15 => "accepted", < 0.6 => "ignored", _ => null };
            decisions.Add([(long)action, customer, "email", $"c{customer}", "web", "offers", 0.1, 1.0, 0.1, "bench", "{}", now, control == 1 && outcome == "accepted" ? "converted" : outcome, control]);
        }

        await store.InsertAsync("decisions",
            ["action_id", "customer_id", "id_kind", "id_value", "channel", "purpose", "propensity", "expected_value", "score", "reason", "data", "decided_at", "outcome", "control"], decisions);

        // A tenth of the customers in the journey (10% of them held out), with the reminder step taken by the treated.
        var enrolments = new List<object?[]>();
        var taken = new List<object?[]>();
        foreach (var customer in customers.Where(_ => random.NextDouble() < 0.1))
        {
            var control = random.NextDouble() < 0.1 ? 1L : 0L;
            var status = random.NextDouble() switch { < 0.2 => "active", < 0.75 => "completed", _ => "converted" };
            enrolments.Add([customer, 1L, 1L, customer, "bench", control, status, null, 1L, now, now]);
            if (control == 0)
            {
                taken.Add([customer, 1L, "reminder", "send", "queued", null, now]);
            }
        }

        await store.InsertAsync("journey_enrolments", ["id", "journey_id", "version", "customer_id", "occurrence", "control", "status", "step", "moves", "entered_at", "updated_at"], enrolments);
        await store.InsertAsync("journey_steps", ["enrolment_id", "move", "step", "type", "outcome", "detail", "taken_at"], taken);
        return rows.Count;
    }

    /// <summary>Computes every relationship report once (what the first page view after a start would wait for) and prints how long each took.</summary>
    public static async Task TimeReportsAsync(IServiceProvider services)
    {
        var r = services.GetRequiredService<RelationshipReports>();
        var (from, through) = r.Queries.DefaultPeriod();
        Console.WriteLine($"report funnel (last 30 days): {(await r.FunnelAsync(from, through, refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report return windows by first purchase: {(await r.ReturnWindowsAsync(false, Rapport.Engine.Analytics.CohortPeriod.Month, refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report return windows by first visit: {(await r.ReturnWindowsAsync(true, Rapport.Engine.Analytics.CohortPeriod.Month, refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report channels: {(await r.ChannelsAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report predicted vs actual CLV: {(await r.ClvAsync(null, refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report uplift + acceptance: {(await r.UpliftAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report reciprocity (every customer): {(await r.ReciprocityAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report loyalty: {(await r.LoyaltyAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report journeys: {(await r.JourneysAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report one journey (by group and step): {(await r.JourneyAsync(1, refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report health alarms: {(await r.HealthAsync(refresh: true)).Took.TotalSeconds:0.00} s");
    }
}
