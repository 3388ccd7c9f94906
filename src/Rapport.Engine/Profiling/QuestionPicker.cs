namespace Rapport.Engine.Profiling;

/// <summary>A question put to the customer earlier, on some channel.</summary>
public sealed record QuestionAsked(string Question, string Channel, DateTimeOffset At);

/// <summary>How often questions may come: see <see cref="QuestionPicker"/>.</summary>
public sealed record PickerRules
{
    /// <summary>One interaction: a page reloaded or a second request within this time gets the same question again, not a new one.</summary>
    public TimeSpan Interaction { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>After a question, no other one before this (across channels): one question per visit or message, not a questionnaire.</summary>
    public TimeSpan BetweenQuestions { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The same unanswered question is not asked again before this.</summary>
    public TimeSpan SameQuestionAgain { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>What to ask now: a question (and whether asking it is new) or nothing, with why.</summary>
public sealed record QuestionChoice(ProfileQuestion? Question, bool IsNewAsk, string Reason);

/// <summary>
/// Chooses at most one question per interaction. Pure: given the bank, what the customer has
/// already answered, what they were asked before and the time, the answer is always the same.
/// </summary>
public static class QuestionPicker
{
    public static QuestionChoice Pick(
        IReadOnlyList<ProfileQuestion> bank, IReadOnlySet<string> answered, IReadOnlyList<QuestionAsked> asked, DateTimeOffset now, PickerRules rules)
    {
        var open = bank.Where(q => !answered.Contains(q.Id)).ToList();
        if (open.Count == 0)
        {
            return new(null, false, "every question is answered");
        }

        var latest = asked.Count == 0 ? null : asked.MaxBy(a => a.At);
        if (latest is not null && now - latest.At < rules.Interaction && open.FirstOrDefault(q => q.Id == latest.Question) is { } pending)
        {
            return new(pending, false, "the question of this interaction, not answered yet");
        }

        if (latest is not null && now - latest.At < rules.BetweenQuestions)
        {
            return new(null, false, $"a question was asked {Ago(now - latest.At)} ago; the next one comes after {Ago(rules.BetweenQuestions)}");
        }

        var lastAsked = asked.GroupBy(a => a.Question).ToDictionary(g => g.Key, g => g.Max(a => a.At));
        var next = open
            .Select((q, order) => (q, order, at: lastAsked.TryGetValue(q.Id, out var t) ? t : (DateTimeOffset?)null))
            .Where(x => x.at is null || now - x.at.Value >= rules.SameQuestionAgain)
            .OrderBy(x => x.at ?? DateTimeOffset.MinValue) // never asked first, then the one asked longest ago
            .ThenBy(x => x.order)
            .Select(x => x.q)
            .FirstOrDefault();
        return next is null
            ? new(null, false, $"every open question was asked in the past {Ago(rules.SameQuestionAgain)}")
            : new(next, true, lastAsked.ContainsKey(next.Id) ? "asked before, long enough ago" : "not asked yet");
    }

    private static string Ago(TimeSpan t) =>
        t >= TimeSpan.FromDays(1) ? $"{(int)t.TotalDays} day(s)" : t >= TimeSpan.FromHours(1) ? $"{(int)t.TotalHours} hour(s)" : $"{Math.Max(1, (int)t.TotalMinutes)} minute(s)";
}
