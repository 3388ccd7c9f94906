using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Actions;
using Rapport.Core.Loyalty;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;

namespace Rapport.Core.Journeys;

/// <summary>What one step did: its outcome word, a detail for staff, and what it leaves to write.</summary>
internal sealed record StepResult(JourneyStep Step, string Outcome, string? Detail, OutgoingMessage? Message = null, TaskRow? Task = null);

internal sealed record TaskRow(string Key, long JourneyId, long CustomerId, string Title, string? Assignee, long? DueAt);

/// <summary>
/// Performs the action steps of an advance, before its write: composes messages (enqueued in the
/// write, keyed by enrolment, move and step so a redone advance enqueues nothing new), asks the
/// next-best-action engine, grants points (the ledger's reference makes a second grant a
/// duplicate). Control-group customers get nothing: each action is recorded as "control".
/// Consent is checked where it must be, when the message leaves the outbox.
/// </summary>
public sealed class JourneyActions(IDatabase database, MessageComposer composer, NextBestActionEngine? decisions = null, LoyaltyLedger? loyalty = null)
{
    /// <summary>Reads what the messages of a batch of advances need in one go (see <see cref="ComposeBatch"/>).</summary>
    internal Task<ComposeBatch> PrepareAsync(IReadOnlyCollection<long> customers, CancellationToken ct) => composer.LoadAsync(customers, ct);

    internal async Task<List<StepResult>> PerformAsync(
        ComposeBatch batch, long enrolment, long moves, long customer, bool control, long journeyId, IReadOnlyList<JourneyStep> taken, DateTimeOffset now, CancellationToken ct)
    {
        var results = new List<StepResult>(taken.Count);
        foreach (var step in taken)
        {
            var key = $"journey:{enrolment}:{moves}:{step.Id}";
            if (!JourneyStepTypes.IsAction(step))
            {
                results.Add(new StepResult(step, step is WaitStep ? "waiting" : "passed", null));
            }
            else if (control)
            {
                results.Add(new StepResult(step, "control", "held out: the control group gets no actions"));
            }
            else
            {
                results.Add(await PerformAsync(batch, step, key, customer, journeyId, now, ct));
            }
        }

        return results;
    }

    private async Task<StepResult> PerformAsync(ComposeBatch batch, JourneyStep step, string key, long customer, long journeyId, DateTimeOffset now, CancellationToken ct)
    {
        switch (step)
        {
            case SendStep send:
                return await ComposeAsync(batch, step, customer, send.Template, send.Purpose, key, null, ct);
            case NextBestActionStep nba:
            {
                if (decisions is null)
                {
                    return new StepResult(step, "skipped", "next best action is not available in this process");
                }

                var decided = await decisions.DecideAsync(customer, nba.Channel, nba.Placement, nba.Limit, ct);
                if (decided is null || decided.Actions.Count == 0)
                {
                    return new StepResult(step, "skipped", "no action is eligible for this customer now");
                }

                var offers = new JsonArray(decided.Actions.Select(a => (JsonNode)new JsonObject
                {
                    ["decisionId"] = a.DecisionId,
                    ["name"] = a.Name,
                    ["reason"] = a.Reason,
                    ["content"] = a.Content?.DeepClone(),
                    ["product"] = a.Product is null ? null : new JsonObject { ["sku"] = a.Product.Sku, ["name"] = a.Product.Name },
                }).ToArray());
                return await ComposeAsync(batch, step, customer, nba.Template, MessagePurpose.Marketing, key, new JsonObject { ["offers"] = offers }, ct);
            }

            case RewardStep reward:
            {
                if (loyalty is null)
                {
                    return new StepResult(step, "skipped", "loyalty is not available in this process");
                }

                var r = await loyalty.EarnAsync(customer, reward.Points, null, key, reward.Note ?? "journey reward", ct);
                return r.Status switch
                {
                    LoyaltyStatus.Done or LoyaltyStatus.Duplicate => new StepResult(step, "granted", $"{reward.Points} points"),
                    _ => new StepResult(step, "skipped", r.Problem ?? r.Status.ToString()),
                };
            }

            case TaskStep task:
            {
                await using var c = await database.OpenAsync(ct);
                var manager = await c.ExecuteScalarAsync<string?>(
                    "SELECT value FROM traits WHERE customer_id = @customer AND name IN ('accountManager', 'account_manager') ORDER BY name LIMIT 1", new { customer });
                var due = task.DueIn is { } d ? UnixTime.ToStorage(now + d) : (long?)null;
                return new StepResult(step, "created", manager is null ? "for the team (no account manager)" : "for " + manager,
                    Task: new TaskRow(key, journeyId, customer, task.Title, manager, due));
            }

            default:
                return new StepResult(step, "passed", null);
        }
    }

    private async Task<StepResult> ComposeAsync(ComposeBatch batch, JourneyStep step, long customer, string template, string purpose, string key, JsonObject? extra, CancellationToken ct)
    {
        try
        {
            var message = await composer.ComposeAsync(batch, customer, template, purpose, key, extra, ct);
            return new StepResult(step, "queued", $"{message.Channel} to {message.Recipient}", message);
        }
        catch (ComposeException e)
        {
            // No address, a template deleted since the journey was saved, a merged customer: the journey goes on.
            return new StepResult(step, "skipped", e.Message);
        }
    }
}
