using Dapper;
using Rapport.Core.Erasure;
using Rapport.Core.Messaging;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Erasure;

public sealed class ErasureTests
{
    private static (ErasureRequests Requests, ErasureExecutor Executor, ErasedCustomers Erased) Services(CoreHarness h)
    {
        var requests = new ErasureRequests(h.Db, h.Writer, h.Events, h.Clock);
        var erased = new ErasedCustomers(h.Db, h.Clock);
        return (requests, new ErasureExecutor(h.Writer, h.Identity, erased, requests), erased);
    }

    [Theory, BothStores]
    public async Task Execute_LeavesNoPersonalDataInAnyTable_KeepsTheCommerceFactsAndTheProof(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var ann = await ErasureSeed.AnnAsync(h);
        var (requests, executor, _) = Services(h);
        Assert.NotEmpty(await ErasureSeed.FindPersonalAsync(h.Db)); // the scan sees the seeded data
        var (ordersBefore, linesBefore, eventsBefore, ledgerBefore) = await CountsAsync(h);
        var request = (await requests.RequestAsync(ann, "preference-centre", "web"))!;

        var result = (await executor.ExecuteAsync(request.Id, "admin"))!;

        Assert.False(result.AlreadyDone);
        Assert.Equal(ErasureRequests.Completed, result.Request.Status);
        Assert.Empty(await ErasureSeed.FindPersonalAsync(h.Db));
        Assert.Equal(ErasureRequests.Completed, (await requests.GetAsync(request.Id))!.Status);
        Assert.Contains("identifiers", result.Rows.Keys);

        // Kept: the order and its lines with amounts and skus, every event row, the consent ledger as proof.
        Assert.Equal((ordersBefore, linesBefore, eventsBefore + 1, ledgerBefore), await CountsAsync(h)); // +1: the request's own event
        await using var c = await h.Db.OpenAsync();
        Assert.Equal((ann, 450_000L), await c.QuerySingleAsync<(long, long)>("SELECT customer_id, total_e4 FROM orders WHERE order_id = 'o-1'"));
        var orderEvent = await c.QuerySingleAsync<(string Properties, string? Context)>("SELECT properties, context FROM events WHERE message_id = 't1'");
        Assert.Null(orderEvent.Context);
        Assert.Contains("\"sku-1\"", orderEvent.Properties, StringComparison.Ordinal);
        Assert.Contains("\"total\"", orderEvent.Properties, StringComparison.Ordinal);
        Assert.Equal("granted", await c.QuerySingleAsync<string>("SELECT value FROM consent_ledger WHERE item = 'email'"));
        Assert.All(await c.QueryAsync<string>("SELECT value FROM identifiers WHERE customer_id = @ann", new { ann }), v => Assert.StartsWith("erased:", v, StringComparison.Ordinal));
        Assert.Empty(await c.QueryAsync<string>("SELECT name FROM traits WHERE customer_id = @ann", new { ann }));
        Assert.Equal(OutboxStatus.Blocked, await c.QuerySingleAsync<string>("SELECT status FROM outbox WHERE message_key = 'm1'"));
        Assert.Equal(OutboxStatus.Sent, await c.QuerySingleAsync<string>("SELECT status FROM outbox WHERE message_key = 'm0'"));
        Assert.Equal(("completed", "erased"), await c.QuerySingleAsync<(string, string)>("SELECT status, exit_reason FROM journey_enrolments"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM journey_timers"));
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM erased_customers WHERE customer_id = @ann", new { ann }));
    }

    [Theory, BothStores]
    public async Task AfterErasure_TheOldIdentifiersStartANewCustomer_NothingIsSent_AndItRunsOnce(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var ann = await ErasureSeed.AnnAsync(h);
        var (requests, executor, erased) = Services(h);
        var request = (await requests.RequestAsync(ann, "api", "web"))!;
        await executor.ExecuteAsync(request.Id, "admin");

        // The same email, user id and anonymous id again: a stranger, not the erased customer.
        await h.SendAsync(Ev.Identify("after-1", 60, new System.Text.Json.Nodes.JsonObject { ["email"] = "ann.smith@example.com" }, user: "ann-42", anon: "anon-ann-1"));
        var again = await h.OwnerAsync(Identifier.UserId, "ann-42");
        Assert.NotEqual(ann, again);
        Assert.Equal(again, await h.OwnerAsync(Identifier.Email, "ann.smith@example.com"));
        Assert.Empty((await h.Customers.GetAsync(ann))!.Traits);

        var gate = new ErasureGate(erased);
        var toAnn = new ClaimedMessage(1, "k", ann, "email", MessagePurpose.Service, "x@example.com", "s", "b", null, 1);
        Assert.IsType<DeliveryOutcome.Blocked>(await gate.CheckAsync(toAnn, h.Clock.GetUtcNow(), default));
        Assert.Null(await gate.CheckAsync(toAnn with { CustomerId = again }, h.Clock.GetUtcNow(), default));
        Assert.True(await new ErasedCustomers(h.Db, h.Clock).IsErasedAsync(ann)); // read back from the store after a restart

        var second = (await executor.ExecuteAsync(request.Id, "admin"))!;
        Assert.True(second.AlreadyDone);
        Assert.Empty(second.Rows);
        Assert.Null(await executor.ExecuteAsync(999_999, "admin"));
        Assert.Equal(request.Id, (await requests.RequestAsync(ann, "preference-centre", "web"))!.Id); // asking again: the completed request
    }

    private static async Task<(long, long, long, long)> CountsAsync(CoreHarness h)
    {
        await using var c = await h.Db.OpenAsync();
        return await c.QuerySingleAsync<(long, long, long, long)>(
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM order_lines), (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM consent_ledger)");
    }
}
