using System.Text.RegularExpressions;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Demo;

/// <summary>
/// Product categories for the demo, derived from the Online Retail descriptions by keyword: the
/// data set has none, and without them category affinity, needs-based clusters and every
/// category segment would have nothing to show. A demo convenience, not a classifier: the
/// first rule with a word of the description wins (Christmas before Decor, so a Christmas
/// heart is Christmas), and what no rule names is "Gifts", which for a gift shop it is.
/// One word per category, so segment fields read plainly: needs.affinity.Kitchen.
/// </summary>
public static partial class DemoCategories
{
    public const string Fallback = "Gifts";

    private static readonly (string Category, HashSet<string> Words)[] Rules =
    [
        ("Christmas", Words("CHRISTMAS XMAS ADVENT SANTA REINDEER SNOWFLAKE SNOW BAUBLE BAUBLES NATIVITY")),
        ("Jewellery", Words("NECKLACE NECKLAC EARRINGS BRACELET RING BROOCH DIAMANTE CHARM BEAD BEADS JEWEL JEWELLERY HAIR HAIRCLIP CLIP SLIDE")),
        ("Lighting", Words("CANDLE CANDLES LIGHT LIGHTS LANTERN LAMP T-LIGHT TEALIGHT NIGHTLIGHT")),
        ("Kitchen", Words(
            "MUG MUGS CUP CUPS TEACUP PLATE PLATES BOWL BOWLS JUG TEAPOT CAKE CAKES BAKING CUTLERY SPOON SPOONS JAR JARS BOTTLE LUNCH " +
            "TIN TINS KITCHEN TRAY NAPKINS APRON TEA COFFEE CAKESTAND GLASS TUMBLER CASES CHOPSTICKS MOULD PANTRY BREAD EGG PLACEMATS COASTERS")),
        ("Bags", Words("BAG BAGS HANDBAG PURSE TOTE SHOPPER WALLET BACKPACK CASE")),
        ("Stationery", Words(
            "CARD CARDS WRAP PAPER NOTEBOOK JOURNAL PENCIL PENCILS PEN STICKER STICKERS ENVELOPE ENVELOPES TAPE RIBBON RIBBONS BOOK CALENDAR " +
            "ERASER STAMP LABELS TISSUE TISSUES")),
        ("Kids", Words(
            "TOY TOYS DOLL DOLLY GAME PLAYHOUSE SPACEBOY CHILDREN CHILDS CHILDRENS JIGSAW PARTY BALLOON BALLOONS BUNTING SKIPPING KIDS BABY " +
            "TEDDY CIRCUS ANIMALS BLOCK")),
        ("Garden", Words("GARDEN PLANT PLANTER WATERING BIRD BIRDHOUSE FLOWERPOT POT POTS HERB SEED SEEDS PARASOL")),
        ("Decor", Words(
            "HEART SIGN FRAME CLOCK MIRROR CUSHION DOORMAT VASE DECORATION HOOK HOOKS ORNAMENT WICKER HANGING HOLDER GARLAND WREATH DOORSTOP " +
            "BOX BOXES DRAWER CABINET SHELF COAT WALL PHOTO CHALKBOARD BLACKBOARD TRINKET PEG STAND BUTTERFLY")),
    ];

    /// <summary>Every category a product can get, the fallback last.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Rules.Select(r => r.Category), Fallback];

    /// <summary>The category of a product described as <paramref name="description"/>.</summary>
    public static string Of(string? description)
    {
        var words = WordPattern().Matches(description?.ToUpperInvariant() ?? "").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var (category, keys) in Rules)
        {
            if (words.Overlaps(keys))
            {
                return category;
            }
        }

        return Fallback;
    }

    /// <summary>
    /// Gives every product without a category its derived one; a category set by a catalogue
    /// import or an event is left alone. Returns how many products got one.
    /// </summary>
    public static Task<int> ApplyAsync(StoreWriter writer, CancellationToken ct = default) => writer.WriteAsync(async unit =>
    {
        var uncategorised = (await unit.Connection.QueryAsync<(string Sku, string Name)>(
            "SELECT sku, name FROM products WHERE category IS NULL", transaction: unit.Transaction)).ToList();
        await unit.Connection.ExecuteAsync(
            "UPDATE products SET category = @Category, updated_at = @At WHERE sku = @Sku",
            uncategorised.Select(p => new { Category = Of(p.Name), At = unit.Now, p.Sku }),
            unit.Transaction);
        return uncategorised.Count;
    }, ct);

    private static HashSet<string> Words(string words) => words.Split(' ').ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"[A-Z][A-Z\-]*")]
    private static partial Regex WordPattern();
}
