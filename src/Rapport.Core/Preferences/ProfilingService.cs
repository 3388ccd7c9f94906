using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Consent;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Engine.Profiling;

namespace Rapport.Core.Preferences;

/// <summary>The question for this interaction (or none, with why).</summary>
public sealed record NextQuestion(long CustomerId, ProfileQuestion? Question, string Reason);

/// <summary>What answering did: the customer, or why the answer was refused.</summary>
public sealed record AnswerOutcome(long? CustomerId, string? Error, ProfileAnswer? Answer);

/// <summary>
/// Progressive profiling on the store: picks at most one question per interaction
/// (<see cref="QuestionPicker"/>), records that it was asked, and stores answers as events: an
/// identify with the answer's trait (values_most, interests, birthday, preferred_store: traits
/// and needs pick it up in the same transaction) and a track "Profile Question Answered" on the
/// timeline.
/// </summary>
public sealed class ProfilingService(StoreWriter writer, EventWriter events, PreferenceOptions options, TimeProvider clock)
{
    private const string MyAsks = "FROM profiling_asks a JOIN identifiers i ON i.kind = a.id_kind AND i.value = a.id_value WHERE i.customer_id = @customer";

    public IReadOnlyList<ProfileQuestion> Questions => options.Questions;

    /// <returns>Null for an unknown customer.</returns>
    public Task<NextQuestion?> NextAsync(long id, string channel, CancellationToken ct = default) =>
        writer.WriteAsync<NextQuestion?>(async unit =>
        {
            if (await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, id) is not { } customer)
            {
                return null;
            }

            var answered = await AnsweredAsync(unit, customer);
            var asked = (await unit.Connection.QueryAsync<(string Question, string Channel, long At)>(
                    $"SELECT a.question, a.channel, a.asked_at {MyAsks}", new { customer }, unit.Transaction))
                .Select(a => new QuestionAsked(a.Question, a.Channel, UnixTime.FromStorage(a.At))).ToList();
            var choice = QuestionPicker.Pick(options.Questions, answered, asked, clock.GetUtcNow(), options.Picker);
            if (choice.Question is { } q && choice.IsNewAsk
                && (await StrongestIdentifiers.ForAsync(unit, [customer])).TryGetValue(customer, out var who))
            {
                await unit.Connection.ExecuteAsync(
                    "INSERT INTO profiling_asks (id_kind, id_value, question, channel, asked_at) VALUES (@Kind, @Value, @question, @channel, @now)",
                    new { who.Kind, who.Value, question = q.Id, channel, now = UnixTime.ToStorage(clock.GetUtcNow()) }, unit.Transaction);
            }

            return new NextQuestion(customer, choice.Question, choice.Reason);
        }, ct);

    /// <summary>Questions the customer has answered, whichever way the answer came (a trait from an identify or import, a stated preference).</summary>
    public async Task<HashSet<string>> AnsweredAsync(UnitOfWork unit, long customer)
    {
        var traits = (await unit.Connection.QueryAsync<string>(
            "SELECT name FROM traits WHERE customer_id = @customer", new { customer }, unit.Transaction)).ToHashSet(StringComparer.Ordinal);
        var stated = await unit.Connection.QuerySingleOrDefaultAsync<(string? Values, string? Interests)>(
            "SELECT values_most, interests FROM customer_needs WHERE customer_id = @customer", new { customer }, unit.Transaction);
        if (stated.Values is not null || traits.Contains("valuesMost"))
        {
            traits.Add("values_most");
        }

        if (stated.Interests is not null)
        {
            traits.Add("interests");
        }

        return options.Questions.Where(q => traits.Contains(q.Trait)).Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Checks and stores an answer. An unknown question or a bad answer stores nothing and says what a good one is.</summary>
    public async Task<AnswerOutcome> AnswerAsync(long id, string? questionId, IReadOnlyList<string> values, string source, string channel, CancellationToken ct = default)
    {
        if (QuestionBank.Find(options.Questions, questionId) is not { } question)
        {
            return new(null, $"'{questionId}' is not a question; ask one of {string.Join(", ", options.Questions.Select(q => q.Id))}", null);
        }

        var (answer, error) = ProfileAnswers.Parse(question, values);
        if (answer is null)
        {
            return new(null, error, null);
        }

        return await writer.WriteAsync(async unit =>
        {
            if (await ConsentLedger.CurrentCustomerAsync(unit.Connection, unit.Transaction, id) is not { } customer
                || !(await StrongestIdentifiers.ForAsync(unit, [customer])).TryGetValue(customer, out var who))
            {
                return new AnswerOutcome(null, null, null);
            }

            var at = clock.GetUtcNow();
            JsonNode traitValue = question.Kind == AnswerKind.ManyOf ? new JsonArray(answer.Values.Select(v => (JsonNode?)v).ToArray()) : answer.Values[0];
            await events.WriteAsync(unit,
            [
                CustomerEvents.Identify(who, channel, at, new JsonObject { [question.Trait] = traitValue }),
                CustomerEvents.Track(who, CustomerEvents.QuestionAnswered, channel, at, new JsonObject
                {
                    ["question"] = question.Id,
                    ["text"] = question.Text,
                    ["answer"] = traitValue.DeepClone(),
                    ["source"] = source,
                }),
            ]);
            return new AnswerOutcome(customer, null, answer);
        }, ct);
    }
}
