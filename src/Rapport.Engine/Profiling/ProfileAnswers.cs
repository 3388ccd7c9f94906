using System.Globalization;

namespace Rapport.Engine.Profiling;

/// <summary>An answer, checked and in the form it is stored: one value, or several for ManyOf.</summary>
public sealed record ProfileAnswer(ProfileQuestion Question, IReadOnlyList<string> Values)
{
    /// <summary>The trait's text: the value, or the values joined by commas (needs read interests as comma-separated text).</summary>
    public string TraitValue => string.Join(",", Values);
}

/// <summary>Checks a customer's answer against its question. Pure; every error says what a good answer looks like.</summary>
public static class ProfileAnswers
{
    public static (ProfileAnswer? Answer, string? Error) Parse(ProfileQuestion q, IReadOnlyList<string> given)
    {
        var values = given.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        if (values.Count == 0)
        {
            return (null, $"give an answer to '{q.Id}': {Expected(q)}");
        }

        switch (q.Kind)
        {
            case AnswerKind.OneOf when values.Count > 1:
                return (null, $"'{q.Id}' takes one answer: {Expected(q)}");
            case AnswerKind.OneOf:
            case AnswerKind.ManyOf:
                var unknown = values.Select(v => v.ToLowerInvariant()).FirstOrDefault(v => q.Options.All(o => o.Value != v));
                return unknown is not null
                    ? (null, $"'{unknown}' is not an answer to '{q.Id}': {Expected(q)}")
                    : (new(q, values.Select(v => v.ToLowerInvariant()).Distinct().ToList()), null);
            case AnswerKind.MonthDay:
                return values.Count == 1 && MonthDay(values[0]) is { } md ? (new(q, [md]), null) : (null, $"'{q.Id}' is {Expected(q)}");
            default:
                var text = string.Join(" ", values);
                return text.Length > ProfileQuestion.MaxTextLength
                    ? (null, $"'{q.Id}' is {Expected(q)}")
                    : (new(q, [text]), null);
        }
    }

    public static string Expected(ProfileQuestion q) => q.Kind switch
    {
        AnswerKind.OneOf => $"one of {string.Join(", ", q.Options.Select(o => o.Value))}",
        AnswerKind.ManyOf => $"one or more of {string.Join(", ", q.Options.Select(o => o.Value))}",
        AnswerKind.MonthDay => "a month and day as MM-DD (such as 04-23); a full date YYYY-MM-DD is accepted and only its month and day are kept",
        _ => $"a text of 1 to {ProfileQuestion.MaxTextLength} characters",
    };

    /// <summary>"MM-DD" from "MM-DD", "--MM-DD" or "YYYY-MM-DD"; only month and day are kept (all a birthday greeting needs). 02-29 is a real birthday.</summary>
    public static string? MonthDay(string text)
    {
        var t = text.StartsWith("--", StringComparison.Ordinal) ? text[2..] : text;
        if (t.Length == 10 && DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d.ToString("MM-dd", CultureInfo.InvariantCulture);
        }

        return t.Length == 5 && DateOnly.TryParseExact("2000-" + t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var leap)
            ? leap.ToString("MM-dd", CultureInfo.InvariantCulture)
            : null;
    }
}
