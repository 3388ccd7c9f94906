using Rapport.Engine.Profiling;

namespace Rapport.Engine.Tests.Profiling;

public class QuestionPickerTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<ProfileQuestion> Bank = QuestionBank.Default;
    private static readonly PickerRules Rules = new();

    private static QuestionChoice Pick(IEnumerable<string> answered, params QuestionAsked[] asked) =>
        QuestionPicker.Pick(Bank, answered.ToHashSet(), asked, Now, Rules);

    [Fact]
    public void NothingAnsweredNorAsked_FirstQuestionOfTheBank()
    {
        var choice = Pick([]);
        Assert.Equal(QuestionBank.ValuesMost, choice.Question!.Id);
        Assert.True(choice.IsNewAsk);
    }

    [Fact]
    public void AnsweredQuestionsAreSkipped()
    {
        Assert.Equal(QuestionBank.Birthday, Pick([QuestionBank.ValuesMost, QuestionBank.Interests]).Question!.Id);
        var none = Pick(Bank.Select(q => q.Id));
        Assert.Null(none.Question);
        Assert.Contains("every question is answered", none.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SameInteraction_SameQuestionAgain_NotRecordedAsNewAsk()
    {
        var choice = Pick([], new QuestionAsked(QuestionBank.Interests, "web", Now.AddMinutes(-5)));
        Assert.Equal(QuestionBank.Interests, choice.Question!.Id);
        Assert.False(choice.IsNewAsk);
    }

    [Fact]
    public void AQuestionEarlierToday_NoOtherOneUntilTheGapHasPassed()
    {
        var choice = Pick([], new QuestionAsked(QuestionBank.ValuesMost, "email", Now.AddHours(-3)));
        Assert.Null(choice.Question);
        Assert.Contains("3 hour(s) ago", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AskedRecently_NotAskedAgainSoon_NeverAskedOnesComeFirst()
    {
        // values_most asked 2 days ago (unanswered): the next interaction gets the next question, not the same one.
        var choice = Pick([], new QuestionAsked(QuestionBank.ValuesMost, "web", Now.AddDays(-2)));
        Assert.Equal(QuestionBank.Interests, choice.Question!.Id);

        // Every open question asked within 30 days: nothing.
        var all = Bank.Select((q, i) => new QuestionAsked(q.Id, "web", Now.AddDays(-2 - i))).ToArray();
        Assert.Null(Pick([], all).Question);

        // Once 30 days have passed, the one asked longest ago comes back.
        var old = Bank.Select((q, i) => new QuestionAsked(q.Id, "web", Now.AddDays(-31 - i))).ToArray();
        var again = Pick([], old);
        Assert.Equal(Bank[^1].Id, again.Question!.Id);
        Assert.Equal("asked before, long enough ago", again.Reason);
    }

    [Fact]
    public void PendingQuestionAnsweredElsewhere_WithinTheInteraction_NoNewQuestion()
    {
        var choice = Pick([QuestionBank.ValuesMost], new QuestionAsked(QuestionBank.ValuesMost, "web", Now.AddMinutes(-1)));
        Assert.Null(choice.Question);
    }

    [Theory]
    [InlineData("values_most", "Quality", "quality")]
    [InlineData("interests", "garden, Books", "garden,books")]
    [InlineData("birthday", "1990-04-23", "04-23")]
    [InlineData("birthday", "02-29", "02-29")]
    [InlineData("birthday", "--12-01", "12-01")]
    [InlineData("preferred_store", "  Utrecht Centraal ", "Utrecht Centraal")]
    public void Answers_AreNormalised(string question, string given, string stored)
    {
        var (answer, error) = ProfileAnswers.Parse(QuestionBank.Find(Bank, question)!, given.Split(',', StringSplitOptions.TrimEntries).Where(_ => question == "interests").DefaultIfEmpty(given).ToList());
        Assert.Null(error);
        Assert.Equal(stored, answer!.TraitValue);
    }

    [Theory]
    [InlineData("values_most", "cheap", "'cheap' is not an answer to 'values_most': one of quality, convenience, discounts, perks")]
    [InlineData("birthday", "02-30", "MM-DD")]
    [InlineData("birthday", "13-01", "MM-DD")]
    [InlineData("interests", "", "give an answer")]
    public void BadAnswers_SayWhatAGoodOneIs(string question, string given, string expected)
    {
        var (answer, error) = ProfileAnswers.Parse(QuestionBank.Find(Bank, question)!, [given]);
        Assert.Null(answer);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void OneOf_TwoAnswers_Refused()
    {
        var (_, error) = ProfileAnswers.Parse(QuestionBank.Find(Bank, QuestionBank.ValuesMost)!, ["quality", "perks"]);
        Assert.Contains("takes one answer", error, StringComparison.Ordinal);
    }
}
