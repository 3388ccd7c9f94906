using System.Text;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Events.Intake;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Events;

/// <summary>The durable intake and its projector on both stores: order, exactly once, dedup, set-aside rows, backlog.</summary>
public sealed class IntakeTests
{
    private static readonly DateTimeOffset Received = new(2026, 3, 1, 10, 0, 0, 123, TimeSpan.Zero);

    [Theory, BothStores]
    public async Task Append_ThenProject_EventsOnTheProfileWithTheRequestsReceiveTimeAndTheIntakeEmpty(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (intake, projector) = Make(h);
        var body = Batch(
            """{"type":"identify","userId":"ann","anonymousId":"a1","traits":{"email":"ann@example.com"},"messageId":"i-1"}""",
            """{"type":"track","anonymousId":"a1","event":"Product Viewed","properties":{"product_id":"P1","price":5},"messageId":"t-1","timestamp":"2026-03-01T09:59:50Z"}""");

        await intake.AppendAsync(EventIntake.BatchKind, Received, 2, body);
        Assert.Equal(new IntakeBacklog(1, 2, Received, 0), await intake.BacklogAsync());
        Assert.Null(await h.Customers.LookupAsync(Identifier.UserId, "ann")); // accepted, not yet projected

        Assert.Equal(1, await projector.ProjectAllAsync());

        var ann = await h.OwnerAsync(Identifier.Email, "ann@example.com");
        Assert.Equal(ann, await h.OwnerAsync(Identifier.AnonymousId, "a1"));
        await using var c = await h.Db.OpenAsync();
        var rows = (await c.QueryAsync<(string MessageId, long CustomerId, long ReceivedAt)>("SELECT message_id, customer_id, received_at FROM events ORDER BY message_id")).ToList();
        Assert.Equal([("i-1", ann, UnixTime.ToStorage(Received)), ("t-1", ann, UnixTime.ToStorage(Received))], rows);
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event_intake"));
        Assert.Equal(IntakeBacklog.Empty, await intake.BacklogAsync());
    }

    [Theory, BothStores]
    public async Task RetriedMessages_WhileInTheIntakeAndAfterProjection_StoredOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (intake, projector) = Make(h);
        projector.MaxEventsPerGroup = 2; // each request projected in its own transaction
        var body = Batch(
            """{"type":"track","userId":"bob","event":"Product Viewed","properties":{"product_id":"P1"},"messageId":"r-1"}""",
            """{"type":"track","userId":"bob","event":"Product Added","properties":{"product_id":"P1","price":3},"messageId":"r-2"}""");

        // Retried while the first copy still waits, then again after it was projected; plus a
        // message without messageId sent twice (its id comes from its content).
        await intake.AppendAsync(EventIntake.BatchKind, Received, 2, body);
        await intake.AppendAsync(EventIntake.BatchKind, Received.AddSeconds(1), 2, body);
        await intake.AppendAsync("track", Received, 1, Encoding.UTF8.GetBytes("""{"userId":"bob","event":"Cart Viewed"}"""));
        await intake.AppendAsync("track", Received, 1, Encoding.UTF8.GetBytes("""{"userId":"bob","event":"Cart Viewed"}"""));
        Assert.Equal(4, await projector.ProjectAllAsync());
        await intake.AppendAsync(EventIntake.BatchKind, Received.AddSeconds(2), 2, body);
        Assert.Equal(1, await projector.ProjectAllAsync());

        await using var c = await h.Db.OpenAsync();
        var counts = (await c.QueryAsync<(string Name, long N)>("SELECT name, COUNT(*) FROM events GROUP BY name ORDER BY name")).ToList();
        Assert.Equal([("Cart Viewed", 1L), ("Product Added", 1L), ("Product Viewed", 1L)], counts);
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM event_intake"));
        var cart = await h.Commerce.CartAsync(await h.OwnerAsync(Identifier.UserId, "bob"));
        Assert.Equal(1, cart!.Items.Single().Quantity); // the retried 'Product Added' added once
    }

    [Theory, BothStores]
    public async Task UnprojectableRow_SetAsideWithTheReason_TheRowsAroundItProjected(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (intake, projector) = Make(h);
        await intake.AppendAsync(EventIntake.BatchKind, Received, 1, Batch("""{"type":"page","anonymousId":"x1","name":"Home","messageId":"p-1"}"""));
        await intake.AppendAsync(EventIntake.BatchKind, Received, 1, Encoding.UTF8.GetBytes("""{"batch":[{"type":"shout","userId":"u"}]}"""));
        await intake.AppendAsync(EventIntake.BatchKind, Received, 1, Batch("""{"type":"page","anonymousId":"x2","name":"Home","messageId":"p-2"}"""));

        Assert.Equal(3, await projector.ProjectAllAsync());

        await using var c = await h.Db.OpenAsync();
        Assert.Equal(["p-1", "p-2"], await c.QueryAsync<string>("SELECT message_id FROM events ORDER BY message_id"));
        var failed = await c.QuerySingleAsync<string>("SELECT failed FROM event_intake");
        Assert.Contains("Unknown type 'shout'", failed, StringComparison.Ordinal);
        Assert.Equal(new IntakeBacklog(0, 0, null, 1), await intake.BacklogAsync());
    }

    [Theory, BothStores]
    public async Task Project_OldestFirst_GroupsNeverSplitARequest(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (intake, projector) = Make(h);
        projector.MaxEventsPerGroup = 3;
        for (var i = 0; i < 4; i++)
        {
            await intake.AppendAsync(EventIntake.BatchKind, Received.AddSeconds(i), 2, Batch(
                $$"""{"type":"page","anonymousId":"o{{i}}","name":"Home","messageId":"o-{{i}}-a"}""",
                $$"""{"type":"page","anonymousId":"o{{i}}","name":"Home","messageId":"o-{{i}}-b"}"""));
        }

        Assert.Equal(1, await projector.ProjectNextAsync()); // 2 + 2 would pass 3 messages
        Assert.Equal(new IntakeBacklog(3, 6, Received.AddSeconds(1), 0), await intake.BacklogAsync());
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(["o-0-a", "o-0-b"], await c.QueryAsync<string>("SELECT message_id FROM events ORDER BY message_id"));
    }

    private static (EventIntake Intake, IntakeProjector Projector) Make(CoreHarness h) =>
        (new EventIntake(h.Writer, h.Db), new IntakeProjector(h.Db, h.Writer, h.Events));

    private static byte[] Batch(params string[] messages) => Encoding.UTF8.GetBytes($$"""{"batch":[{{string.Join(",", messages)}}]}""");
}
