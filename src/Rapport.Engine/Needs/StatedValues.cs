namespace Rapport.Engine.Needs;

/// <summary>
/// What a customer can say they value most. Stated words are read loosely (case, plural,
/// a few synonyms) and anything else is ignored rather than guessed.
/// </summary>
public static class StatedValues
{
    public const string Quality = "quality";
    public const string Convenience = "convenience";
    public const string Discounts = "discounts";
    public const string Perks = "perks";

    public static readonly IReadOnlyList<string> All = [Quality, Convenience, Discounts, Perks];

    public static string? Normalize(string? stated) => stated?.Trim().ToLowerInvariant() switch
    {
        "quality" or "craftsmanship" or "durability" => Quality,
        "convenience" or "speed" or "fast delivery" or "easy" => Convenience,
        "discount" or "discounts" or "deals" or "price" or "low prices" or "value for money" => Discounts,
        "perk" or "perks" or "rewards" or "loyalty rewards" or "benefits" => Perks,
        _ => null,
    };

    /// <summary>Interests from a list or a comma-separated text: trimmed, distinct ignoring case, in the order given.</summary>
    public static IReadOnlyList<string> Interests(IEnumerable<string> items) =>
        items.SelectMany(i => i.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .DistinctBy(i => i.ToLowerInvariant())
            .Take(50)
            .ToList();
}
