namespace Rapport.Engine.Profiling;

/// <summary>How a question is answered: one option, several options, a day of the year, or a short text.</summary>
public enum AnswerKind
{
    OneOf,
    ManyOf,
    MonthDay,
    Text,
}

/// <summary>A choice offered for a question, with the words the customer reads.</summary>
public sealed record QuestionOption(string Value, string Label);

/// <summary>
/// One question of progressive profiling. The answer is kept as the trait <see cref="Trait"/>
/// (values_most, interests, birthday, preferred_store), which is also how Rapport tells that
/// the question has been answered, whichever way the answer came (this page, an import, a shop).
/// </summary>
public sealed record ProfileQuestion(string Id, string Text, AnswerKind Kind, string Trait, IReadOnlyList<QuestionOption> Options)
{
    public const int MaxTextLength = 100;
}

/// <summary>The questions Rapport asks, in the order it asks them: the ones that shape offers most come first.</summary>
public static class QuestionBank
{
    public const string ValuesMost = "values_most";
    public const string Interests = "interests";
    public const string Birthday = "birthday";
    public const string PreferredStore = "preferred_store";

    public static IReadOnlyList<ProfileQuestion> Default { get; } =
    [
        new(ValuesMost, "What do you value most when you shop with us?", AnswerKind.OneOf, "values_most",
        [
            new("quality", "Quality"), new("convenience", "Convenience"), new("discounts", "Discounts"), new("perks", "Perks and rewards"),
        ]),
        new(Interests, "What are you interested in?", AnswerKind.ManyOf, "interests",
        [
            new("home", "Home"), new("kitchen", "Kitchen"), new("garden", "Garden"), new("fashion", "Fashion"), new("beauty", "Beauty"),
            new("electronics", "Electronics"), new("sports", "Sports"), new("books", "Books"), new("toys", "Toys and games"), new("food", "Food and drink"),
        ]),
        new(Birthday, "When is your birthday? (day and month only; we would like to surprise you)", AnswerKind.MonthDay, "birthday", []),
        new(PreferredStore, "Which of our stores do you prefer?", AnswerKind.Text, "preferred_store", []),
    ];

    public static ProfileQuestion? Find(IReadOnlyList<ProfileQuestion> bank, string? id) => bank.FirstOrDefault(q => q.Id == id);
}
