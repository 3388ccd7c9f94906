using System.Text.Json.Nodes;
using Rapport.Core.Journeys;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Messaging;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Journeys;

/// <summary>Journeys on both stores, with a fake clock and a real SMTP server: durable waits, goals, control groups, consent.</summary>
public class JourneyRunnerTests
{
    private const string AbandonedCart = """
        {"name": "Abandoned cart", "trigger": {"event": "Checkout Started"}, "goal": {"event": "Order Completed"}, "controlGroup": 0,
         "steps": [{"id": "wait", "type": "wait", "duration": "1h"}, {"id": "remind", "type": "send", "template": "cart-reminder"}]}
        """;

    [Theory, BothStores]
    public async Task RestartInTheMiddleOfAWait_TheWaitSurvives_AndTheReminderGoesOutOnce(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart);
        var ann = await h.CustomerAsync("ann");
        await h.TrackAsync("c1", "ann", "Checkout Started");

        await h.RunAsync();
        var waiting = Assert.Single(await h.Queries.EnrolmentsAsync(journey, null, null, null, 10));
        Assert.Equal(("active", "wait", "treated"), (waiting.Status, waiting.Step, waiting.Group));
        Assert.Equal(h.Core.Clock.GetUtcNow().AddHours(1), waiting.NextAt);

        h.Core.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.RunAsync();
        Assert.Empty(await h.Messaging.Outbox.ListAsync(null, ann, 10)); // not yet

        h.Start(); // the process restarts: nothing in memory survives
        h.Core.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, (await h.RunAsync()).Moved);
        Assert.Equal(0, (await h.RunAsync()).Moved); // nothing due any more
        await h.DispatchAsync();
        await h.DispatchAsync();

        var mail = SmtpSink.Parse(Assert.Single(await h.Messaging.Smtp.WaitForAsync(1)));
        Assert.Equal("You left something, Ann", mail.Subject);
        Assert.Equal("ann@example.com", mail.To.Mailboxes.Single().Address);
        var done = Assert.Single(await h.Queries.EnrolmentsAsync(journey, null, null, null, 10));
        Assert.Equal(("completed", "completed"), (done.Status, done.ExitReason));
        Assert.Equal(["Journey Entered", "Journey Step", "Journey Step", "Journey Exited"], await h.TimelineAsync(ann));
        Assert.Equal(["waiting"], (await h.Queries.StepsAsync(done.Id)).Where(s => s.Step == "wait").Select(s => s.Outcome));
        Assert.Contains(await h.Queries.StepsAsync(done.Id), s => s is { Step: "remind", Outcome: "queued" });
    }

    [Theory, BothStores]
    public async Task AdvanceRedoneAfterACrash_EnqueuesNothingNew(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart);
        var ann = await h.CustomerAsync("ann");
        await h.TrackAsync("c1", "ann", "Checkout Started");
        await h.RunAsync();
        h.Core.Clock.Advance(TimeSpan.FromHours(2));
        await h.RunAsync();

        // Play the crash: the advance's write is undone as if it never committed, so the step runs again.
        var enrolment = Assert.Single(await h.Queries.EnrolmentsAsync(journey, null, null, null, 10));
        await h.Core.Writer.WriteAsync(async unit =>
        {
            await Dapper.SqlMapper.ExecuteAsync(unit.Connection, "UPDATE journey_enrolments SET status = 'active', moves = 1, step = 'wait', ended_at = NULL WHERE id = @id", new { id = enrolment.Id }, unit.Transaction);
            return await Dapper.SqlMapper.ExecuteAsync(unit.Connection, "INSERT INTO journey_timers (enrolment_id, due_at) VALUES (@id, 0)", new { id = enrolment.Id }, unit.Transaction);
        });
        Assert.Equal(1, (await h.RunAsync()).Moved);
        await h.DispatchAsync();

        Assert.Single(await h.Messaging.Outbox.ListAsync(null, ann, 10));
        Assert.Single(await h.Messaging.Smtp.WaitForAsync(1));
    }

    [Theory, BothStores]
    public async Task GoalBeforeTheWaitEnds_ExitsAndSendsNothing(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart);
        var ann = await h.CustomerAsync("ann");
        await h.TrackAsync("c1", "ann", "Checkout Started");
        await h.RunAsync();

        h.Core.Clock.Advance(TimeSpan.FromMinutes(20));
        await h.TrackAsync("o1", "ann", "Order Completed", new JsonObject { ["order_id"] = "o1", ["total"] = 10, ["currency"] = "GBP" });
        await h.RunAsync();
        h.Core.Clock.Advance(TimeSpan.FromHours(2));
        await h.RunAsync();
        await h.DispatchAsync();

        var e = Assert.Single(await h.Queries.EnrolmentsAsync(journey, null, null, null, 10));
        Assert.Equal(("converted", "goal: Order Completed"), (e.Status, e.ExitReason));
        Assert.Null(e.NextAt);
        Assert.Empty(await h.Messaging.Outbox.ListAsync(null, ann, 10));
        Assert.Empty(h.Messaging.Smtp.Messages());
        Assert.Equal(1, (await h.Queries.StatsAsync(journey)).Treated.Converted);

        // A new cart after the exit starts the journey again (re-entry after exit).
        await h.TrackAsync("c2", "ann", "Checkout Started");
        await h.RunAsync();
        Assert.Equal(2, (await h.Queries.EnrolmentsAsync(journey, null, null, null, 10)).Count);
    }

    [Theory, BothStores]
    public async Task Paused_HoldsEnrolmentsWhereTheyAre_ButGoalsStillEndThem(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart);
        var ann = await h.CustomerAsync("ann");
        var bob = await h.CustomerAsync("bob");
        await h.TrackAsync("c1", "ann", "Checkout Started");
        await h.TrackAsync("c2", "bob", "Checkout Started");
        await h.RunAsync();

        await h.Store.SetStatusAsync(journey, JourneyStatus.Paused);
        await h.TrackAsync("o1", "bob", "Order Completed", new JsonObject { ["order_id"] = "o1", ["total"] = 10, ["currency"] = "GBP" });
        await h.TrackAsync("c3", "cat-unknown", "Checkout Started"); // no enrolment while paused
        h.Core.Clock.Advance(TimeSpan.FromHours(2));
        await h.RunAsync();
        Assert.Empty(await h.Messaging.Outbox.ListAsync(null, null, 10)); // held

        await h.Store.SetStatusAsync(journey, JourneyStatus.Active);
        await h.RunAsync();

        var all = await h.Queries.EnrolmentsAsync(journey, null, null, null, 10);
        Assert.Equal(2, all.Count);
        Assert.Equal("converted", all.Single(e => e.CustomerId == bob).Status);
        Assert.Equal(ann, Assert.Single(await h.Messaging.Outbox.ListAsync(null, null, 10)).CustomerId);
    }

    [Theory, BothStores]
    public async Task ControlGroup_IsEnrolledAndCounted_ButGetsNothing(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart.Replace("\"controlGroup\": 0", "\"controlGroup\": 0.5", StringComparison.Ordinal));
        for (var i = 0; i < 16; i++)
        {
            await h.CustomerAsync($"user{i}");
            await h.TrackAsync($"c{i}", $"user{i}", "Checkout Started");
        }

        await h.RunAsync();
        h.Core.Clock.Advance(TimeSpan.FromHours(2));
        await h.RunAsync();
        await h.DispatchAsync();

        var all = await h.Queries.EnrolmentsAsync(journey, null, null, null, 100);
        var control = all.Where(e => e.Group == "control").ToList();
        Assert.Equal(16, all.Count);
        Assert.InRange(control.Count, 1, 15); // hash of (journey, customer): both sides present at 0.5
        foreach (var e in control)
        {
            Assert.Empty(await h.Messaging.Outbox.ListAsync(null, e.CustomerId, 10));
            Assert.Contains(await h.Queries.StepsAsync(e.Id), s => s is { Step: "remind", Outcome: "control" });
        }

        Assert.Equal(16 - control.Count, (await h.Messaging.Smtp.WaitForAsync(16 - control.Count)).Count);
        var stats = await h.Queries.StatsAsync(journey);
        Assert.Equal((16L - control.Count, (long)control.Count), (stats.Treated.Enrolled, stats.Control.Enrolled));
        Assert.Equal(16L - control.Count, stats.Treated.MessagesQueued);
        Assert.Equal(0, stats.Control.MessagesQueued);
    }

    [Theory, BothStores]
    public async Task ConsentDenied_TheStepRuns_ButNothingIsSent(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync(AbandonedCart);
        var bob = await h.CustomerAsync("bob", consent: false);
        await h.TrackAsync("c1", "bob", "Checkout Started");
        await h.RunAsync();
        h.Core.Clock.Advance(TimeSpan.FromHours(2));
        await h.RunAsync();
        await h.DispatchAsync();

        var message = Assert.Single(await h.Messaging.Outbox.ListAsync(null, bob, 10));
        Assert.Equal(OutboxStatus.Blocked, message.Status);
        Assert.Empty(h.Messaging.Smtp.Messages());
        Assert.Equal("completed", Assert.Single(await h.Queries.EnrolmentsAsync(journey, null, null, null, 10)).Status);
    }

    [Theory, BothStores]
    public async Task Conditions_BranchOnTraits_AndBirthdaysEnrolOnceAYear(StoreKind store)
    {
        await using var h = await JourneyHarness.CreateAsync(store);
        var journey = await h.JourneyAsync("""
            {"name": "Birthday", "trigger": {"date": "traits.birthday"}, "controlGroup": 0, "steps": [
              {"id": "vip", "type": "condition", "if": "traits.plan = \"gold\"", "then": "gift", "else": "card"},
              {"id": "gift", "type": "task", "title": "Send flowers", "next": null},
              {"id": "card", "type": "send", "template": "cart-reminder"}]}
            """);
        var ann = await h.CustomerAsync("ann");
        var bob = await h.CustomerAsync("bob");
        var cat = await h.CustomerAsync("cat");
        // The clock is 1 January 2026.
        await h.Core.SendAsync(Events.Ev.Identify("b1", 1, new JsonObject { ["birthday"] = "1990-01-01", ["plan"] = "gold" }, user: "ann"));
        await h.Core.SendAsync(Events.Ev.Identify("b2", 1, new JsonObject { ["birthday"] = "--01-01" }, user: "bob"));
        await h.Core.SendAsync(Events.Ev.Identify("b3", 1, new JsonObject { ["birthday"] = "1985-07-04" }, user: "cat"));

        await h.RunAsync();
        await h.RunAsync(); // the same day again: swept once

        var enrolled = await h.Queries.EnrolmentsAsync(journey, null, null, null, 10);
        Assert.Equal([ann, bob], enrolled.Select(e => e.CustomerId).Order());
        Assert.Contains(await h.Queries.StepsAsync(enrolled.Single(e => e.CustomerId == ann).Id), s => s is { Step: "gift", Outcome: "created" });
        Assert.DoesNotContain(await h.Queries.StepsAsync(enrolled.Single(e => e.CustomerId == ann).Id), s => s.Step == "card");
        Assert.Contains(await h.Queries.StepsAsync(enrolled.Single(e => e.CustomerId == bob).Id), s => s is { Step: "card", Outcome: "queued" });
        Assert.Equal("Send flowers", Assert.Single(await h.Queries.TasksAsync(null, 10)).Title);
        Assert.Empty(await h.Messaging.Outbox.ListAsync(null, cat, 10));
    }
}
