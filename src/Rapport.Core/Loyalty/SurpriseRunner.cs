using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>What one run of a programme did.</summary>
public sealed record SurpriseRun(long ProgramId, bool Ran, long Eligible, long Gifts, long HeldOut, long SkippedNoConsent, decimal Spent, decimal BudgetLeft, string? Note = null);

/// <summary>
/// Runs a surprise programme (on demand, and nightly for every active one): eligible customers
/// (best customers first), spacing, the deterministic control group and the budget are decided by
/// <see cref="SurprisePlanner"/>; each gift is a row in surprise_gifts, a 'surprise' cost (value
/// received in the reciprocity ledger, off the customer's margin), a "Surprise Given" event on the
/// timeline and, for a note, an open staff task. When the programme announces its gifts
/// (contact), <see cref="ContactPolicy"/> must allow the contact or the customer is skipped.
/// One write transaction per run.
/// </summary>
public sealed class SurpriseRunner(StoreWriter writer, ContactPolicy policy, ValuePopulationCache population)
{
    public const string SurpriseGiven = "Surprise Given";

    public Task<SurpriseRun?> RunAsync(long programId, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                if (await SurprisePrograms.ViewAsync(unit.Connection, unit.Transaction, programId) is not { } view)
                {
                    return null;
                }

                var program = view.Program;
                if (!program.Active)
                {
                    return new SurpriseRun(programId, false, 0, 0, 0, 0, view.Spent, view.BudgetLeft, "The programme is not active.");
                }

                var now = unit.Clock.GetUtcNow();
                var eligible = await SurpriseEligibilityQuery.CustomersAsync(unit, program.Eligibility);
                var history = await HistoryAsync(unit, program.Spacing, now);
                var picks = SurprisePlanner.Plan(programId, program, eligible, history, view.Spent, now);
                long gifts = 0, held = 0, skipped = 0;
                var treated = new List<long>();
                foreach (var pick in picks)
                {
                    if (pick.Control)
                    {
                        await InsertGiftAsync(unit, programId, pick.Customer, true, "holdout", 0m, null);
                        held++;
                        continue;
                    }

                    if (program.Contact is { } contact
                        && await policy.TryContactAsync(unit, pick.Customer, contact.Purpose, contact.Channel, now, $"surprise:{programId}:{pick.Customer}:{unit.Now}") is not { Allowed: true })
                    {
                        skipped++;
                        continue;
                    }

                    await GiveAsync(unit, programId, program, pick.Customer);
                    treated.Add(pick.Customer);
                    gifts++;
                }

                if (treated.Count > 0)
                {
                    await CustomerValueUpdater.RefreshAsync(unit, treated, await population.GetAsync(unit.Connection, unit.Transaction, ct), ct);
                }

                var after = (await SurprisePrograms.ViewAsync(unit.Connection, unit.Transaction, programId))!;
                return new SurpriseRun(programId, true, eligible.Count, gifts, held, skipped, after.Spent, after.BudgetLeft);
            },
            ct);

    /// <summary>Runs every active programme (the nightly job).</summary>
    public async Task<IReadOnlyList<SurpriseRun>> RunAllAsync(CancellationToken ct = default)
    {
        var runs = new List<SurpriseRun>();
        foreach (var view in await new SurprisePrograms(writer).ListAsync(ct))
        {
            if (view.Program.Active && await RunAsync(view.Id, ct) is { } run)
            {
                runs.Add(run);
            }
        }

        return runs;
    }

    private static async Task GiveAsync(UnitOfWork unit, long programId, SurpriseProgram program, long customer)
    {
        var gift = program.Gift;
        var giftId = await InsertGiftAsync(unit, programId, customer, false, gift.Kind, gift.Cost, gift.Sku);
        unit.CustomersChanged.Add(customer); // the reciprocity balance cached for next best action is read again
        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO customer_costs (customer_id, recorded_for, kind, amount_e4, at, reference, note, created_at)
            VALUES (@customer, @customer, 'surprise', @amount, @now, @reference, @note, @now)
            """,
            new { customer, amount = Money.ToStorage(gift.Cost), now = unit.Now, reference = $"surprise:{giftId}", note = program.Name },
            unit.Transaction);
        await TimelineEvents.AppendAsync(
            unit, customer, SurpriseGiven, $"surprise:{giftId}",
            new JsonObject
            {
                ["program"] = program.Name, ["program_id"] = programId, ["kind"] = gift.Kind, ["value"] = gift.Cost,
                ["sku"] = gift.Sku, ["description"] = gift.Description,
            });
        if (gift.Kind == SurpriseGift.Note)
        {
            var assignee = await unit.Connection.ExecuteScalarAsync<string?>(
                "SELECT value FROM traits WHERE customer_id = @customer AND name = 'account_manager'", new { customer }, unit.Transaction) ?? program.Assignee;
            await unit.Connection.ExecuteAsync(
                """
                INSERT INTO staff_tasks (customer_id, recorded_for, kind, title, assignee, gift_id, status, created_at)
                VALUES (@customer, @customer, 'handwritten-note', @title, @assignee, @giftId, 'open', @now)
                """,
                new { customer, title = gift.Description ?? $"Write a handwritten thank-you note ({program.Name})", assignee, giftId, now = unit.Now },
                unit.Transaction);
        }
    }

    private static Task<long> InsertGiftAsync(UnitOfWork unit, long programId, long customer, bool control, string kind, decimal cost, string? sku) =>
        unit.Connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO surprise_gifts (program_id, customer_id, recorded_for, control, kind, cost_e4, sku, at)
            VALUES (@programId, @customer, @customer, @control, @kind, @cost, @sku, @now) RETURNING id
            """,
            new { programId, customer, control = control ? 1 : 0, kind, cost = Money.ToStorage(cost), sku, now = unit.Now },
            unit.Transaction);

    /// <summary>Every customer's surprises and hold-outs (all programmes) within the longest spacing window.</summary>
    private static async Task<Dictionary<long, SurpriseHistory>> HistoryAsync(UnitOfWork unit, SurpriseSpacing spacing, DateTimeOffset now)
    {
        var since = UnixTime.ToStorage(now - TimeSpan.FromDays(Math.Max(spacing.PeriodDays, spacing.MinDaysBetween)));
        var rows = await unit.Connection.QueryAsync<(long Customer, long At)>(
            "SELECT customer_id, at FROM surprise_gifts WHERE at > @since", new { since }, unit.Transaction);
        return rows.GroupBy(r => r.Customer).ToDictionary(
            g => g.Key,
            g =>
            {
                var times = g.Select(r => UnixTime.FromStorage(r.At)).Order().ToList();
                return new SurpriseHistory(times[^1], times);
            });
    }
}
