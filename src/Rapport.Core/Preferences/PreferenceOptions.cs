using Rapport.Engine.Profiling;

namespace Rapport.Core.Preferences;

/// <summary>Settings of the preference centre and progressive profiling (Rapport:Preferences).</summary>
public sealed record PreferenceOptions
{
    /// <summary>How long a preference-centre link works (Rapport:Preferences:LinkDays, 1 to 365; default 30).</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromDays(30);

    public IReadOnlyList<ProfileQuestion> Questions { get; init; } = QuestionBank.Default;

    public PickerRules Picker { get; init; } = new();

    /// <summary>How many recent decisions (offers) the page explains.</summary>
    public int RecentOffers { get; init; } = 10;
}
