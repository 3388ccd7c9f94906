using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Identity;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>
/// The running totals a write keeps instead of summing the customer's history (the points tier
/// basis in loyalty_qualifying, the value row a redemption adds its reward cost to) equal the
/// from-scratch sums after random earnings, orders, redemptions, returns, expiry, merges and
/// their undo, over more than a year so the 12-month window slides; on both stores.
/// </summary>
public sealed class RunningTotalsTests
{
    private static readonly LoyaltyProgram Program = new()
    {
        PointsPerUnit = 1m,
        ExpiryDays = 60,
        TierBasis = LoyaltyProgram.PointsBasis,
        Tiers = [new("member", 0m, 1m), new("silver", 150m, 1.25m), new("gold", 500m, 1.5m)],
        TierGraceDays = 10,
    };

    private static readonly string[] Devices = ["a0", "a1", "a2", "a3", "a4"];

    [Theory, BothStores]
    public async Task RandomOperations_RunningTotalsEqualFromScratchSums(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        var random = new Random(20261126);
        var orders = new List<(string Id, string Device)>();
        var t0 = Ev.At(0);
        var messages = 0;
        string Next() => $"m{messages++}";
        int Minute() => (int)(h.Clock.GetUtcNow() - t0).TotalMinutes;
        foreach (var device in Devices)
        {
            await h.SendAsync(Ev.Identify(Next(), Minute(), new JsonObject { ["plan"] = "x" }, anon: device));
        }

        var merges = 0;
        var maxMoved = 0L;
        for (var step = 0; step < 240; step++)
        {
            h.Clock.Advance(TimeSpan.FromHours(random.Next(0, 96)));
            var device = Devices[random.Next(Devices.Length)];
            var customer = (await h.Customers.LookupAsync(Identifier.AnonymousId, device))!.Value;
            if (step % 60 == 30)
            {
                // Two devices become one customer (the same email), and the last merge is undone 30 steps later.
                var email = $"z{merges++}@example.com";
                await h.SendAsync(
                    Ev.Identify(Next(), Minute(), new JsonObject { ["email"] = email }, anon: Devices[merges % Devices.Length]),
                    Ev.Identify(Next(), Minute(), new JsonObject { ["email"] = email }, anon: Devices[(merges + 2) % Devices.Length]));
            }
            else if (step % 60 == 0 && step > 0)
            {
                var survivor = (await h.Customers.LookupAsync(Identifier.AnonymousId, Devices[merges % Devices.Length]))!.Value;
                var merge = Assert.Single(await h.Merges.ForCustomerAsync(survivor));
                await h.Merges.UndoAsync(merge.Id);
            }

            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    var orderId = $"O-{step}";
                    orders.Add((orderId, device));
                    await h.SendAsync(Ev.Track(Next(), Minute(), "Order Completed", Ev.Order(orderId, ("CUP", random.Next(5, 80), random.Next(1, 3))), anon: device));
                    break;
                case 3:
                    await h.Ledger.EarnAsync(customer, random.Next(1, 60), null, $"e{step}", null);
                    break;
                case 4 or 5:
                    await h.Ledger.RedeemAsync(customer, random.Next(1, 90), $"r{step}", null, null);
                    break;
                case 6 when orders.Count > 0:
                    var (returned, buyer) = orders[random.Next(orders.Count)];
                    var refund = new JsonObject { ["order_id"] = returned };
                    if (random.Next(2) == 0)
                    {
                        refund["total"] = random.Next(1, 30);
                    }

                    await h.SendAsync(Ev.Track(Next(), Minute(), random.Next(4) == 0 ? "Order Cancelled" : "Order Refunded", refund, anon: buyer));
                    break;
                case 7 or 8:
                    await h.Expiry.RunAsync();
                    break;
                default:
                    break; // only the clock moves
            }

            await AssertTotalsAsync(h, step);
            await using (var d = await h.Db.OpenAsync())
            {
                maxMoved = Math.Max(maxMoved, await d.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM loyalty_operations WHERE customer_id <> recorded_for"));
            }
        }

        await h.AssertBalancedAsync();
        // The run covered what it is meant to: merged customers' operations were moved, and windows slid.
        Assert.True(maxMoved > 0);
        await using var c = await h.Db.OpenAsync();
        Assert.True(await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM loyalty_qualifying WHERE since > {LoyaltyTierTotals.StartOfTime}") > 0);
    }

    [Theory, BothStores]
    public async Task Upgrade_BackfillsTotalsFromEveryOperation_ThenTheWindowSlides(StoreKind store)
    {
        await using var h = await LoyaltyHarness.CreateAsync(store, Program);
        foreach (var device in Devices)
        {
            await h.SendAsync(Ev.Identify($"i-{device}", 0, new JsonObject { ["plan"] = "x" }, anon: device));
        }

        for (var step = 0; step < 40; step++)
        {
            h.Clock.Advance(TimeSpan.FromDays(12));
            var customer = (await h.Customers.LookupAsync(Identifier.AnonymousId, Devices[step % Devices.Length]))!.Value;
            await h.Ledger.EarnAsync(customer, 10 + step, null, $"e{step}", null);
            if (step % 3 == 0)
            {
                await h.Ledger.RedeemAsync(customer, 5, $"r{step}", null, null);
            }
        }

        // A store from before migration 1920: no totals table, then the upgrade runs the step.
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("DROP TABLE loyalty_qualifying");
            await c.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 1920");
        }

        Assert.Equal(1, await SchemaMigrator.MigrateAsync(h.Db));
        await using (var c = await h.Db.OpenAsync())
        {
            Assert.Equal(Devices.Length, await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM loyalty_qualifying WHERE since = {LoyaltyTierTotals.StartOfTime}"));
        }

        await AssertTotalsAsync(h, 0); // 480 days of earnings: the first evaluation subtracts the oldest
        h.Clock.Advance(TimeSpan.FromDays(100));
        await AssertTotalsAsync(h, 1);
    }

    private static async Task AssertTotalsAsync(LoyaltyHarness h, int step)
    {
        var now = h.Clock.GetUtcNow();
        var since = UnixTime.ToStorage(now - TimeSpan.FromDays(365));
        var customers = new List<long>();
        await using (var c = await h.Db.OpenAsync())
        {
            customers.AddRange(await c.QueryAsync<long>("SELECT DISTINCT customer_id FROM loyalty_operations UNION SELECT customer_id FROM customer_value"));
        }

        var (running, values) = await h.Writer.WriteAsync(async unit =>
        {
            var totals = new Dictionary<long, long>();
            foreach (var customer in customers)
            {
                totals[customer] = await LoyaltyTierTotals.QualifyingAsync(unit, customer, since);
            }

            return (totals, await ValueRowsAsync(unit));
        });

        var scratch = new Dictionary<long, long>();
        await using (var c = await h.Db.OpenAsync())
        {
            foreach (var customer in customers)
            {
                scratch[customer] = (long)await LoyaltyTiers.QualifyingAsync(c, null, Program, customer, now);
            }
        }

        Assert.True(scratch.OrderBy(p => p.Key).SequenceEqual(running.OrderBy(p => p.Key)), $"step {step}: running {Show(running)} against {Show(scratch)}");

        // The value rows as kept (a redemption adds to its row) against a full refresh of everyone.
        var refreshed = await h.Writer.WriteAsync(async unit =>
        {
            await CustomerValueUpdater.RefreshAsync(unit, customers, await new ValuePopulationCache().GetAsync(unit.Connection, unit.Transaction));
            return await ValueRowsAsync(unit);
        });
        Assert.Equal(refreshed, values);
    }

    /// <summary>Every customer_value row but its updated_at, as text, in customer order.</summary>
    private static async Task<List<string>> ValueRowsAsync(UnitOfWork unit)
    {
        var columns = string.Join(", ", CustomerValueSnapshot.Columns.Where(c => c != "updated_at"));
        var rows = await unit.Connection.QueryAsync($"SELECT {columns} FROM customer_value ORDER BY customer_id", transaction: unit.Transaction);
        return rows.Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToList();
    }

    private static string Show(Dictionary<long, long> totals) => string.Join(", ", totals.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}"));
}
