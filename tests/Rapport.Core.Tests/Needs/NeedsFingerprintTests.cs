using Rapport.Core.Needs;
using Rapport.Engine.Needs;

namespace Rapport.Core.Tests.Needs;

/// <summary>
/// The recomputation hashes a customer's needs from the typed values instead of from the built
/// rows (most customers have not changed, so their rows are never built). Stored fingerprints
/// were hashed from the rows, so the two must agree to the bit, or every customer would be
/// rewritten once for nothing.
/// </summary>
public sealed class NeedsFingerprintTests
{
    private const long Day = 86_400_000;
    private static readonly string?[] Categories = ["Lamps", "Chairs", "Sofas", null];
    private static readonly string[] Channels = ["web", "app", "store", "phone", "kiosk"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TypedFingerprint_RandomNeeds_SameAsTheRows(int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<long>();
        for (var i = 0; i < 1_000; i++)
        {
            var needs = NeedsCalculator.Compute(History(random), NeedsSettings.Default);
            var id = random.NextInt64(1, 1_000_000);

            var (row, affinity, channels, cadence) = NeedsUpdater.RowsOf(id, needs, model: null, now: 5);

            var fromRows = NeedsUpdater.FingerprintOfRows(row, affinity, channels, cadence);
            Assert.Equal(fromRows, NeedsUpdater.FingerprintOf(id, needs, NeedsSummary.From(needs), (string?)row[21]));
            Assert.Equal(fromRows, (long)row[^2]!); // the row carries the fingerprint it is stored with
            seen.Add(fromRows);
        }

        Assert.True(seen.Count > 900, $"only {seen.Count} distinct fingerprints: the hash ignores something");
    }

    [Fact]
    public void TypedFingerprint_OneValueMoves_FingerprintMoves()
    {
        var h = new NeedsHistory(
            new Dictionary<string, long> { ["web"] = 3 }, new Dictionary<string, long> { ["web"] = 1 },
            [new ProductView(Day, "Lamps")], [new PurchaseLine("o", Day, "A", "Lamps", 1, 10_000, null, false)], 2, 1, 0, []);
        var a = NeedsCalculator.Compute(h, NeedsSettings.Default);
        var b = NeedsCalculator.Compute(h with { OffersShown = 3 }, NeedsSettings.Default);

        Assert.NotEqual(
            NeedsUpdater.FingerprintOf(7, a, NeedsSummary.From(a), null),
            NeedsUpdater.FingerprintOf(7, b, NeedsSummary.From(b), null));
    }

    private static NeedsHistory History(Random r)
    {
        var start = r.Next(0, 20_000) * Day;
        long At() => start + (r.Next(0, 200) * Day);
        var interactions = new Dictionary<string, long>();
        var purchases = new Dictionary<string, long>();
        for (var i = r.Next(4); i > 0; i--)
        {
            interactions[Channels[r.Next(Channels.Length)]] = r.Next(1, 30);
            purchases[Channels[r.Next(Channels.Length)]] = r.Next(1, 10);
        }

        var views = Enumerable.Range(0, r.Next(10)).Select(_ => new ProductView(At(), Categories[r.Next(Categories.Length)])).ToList();
        var lines = Enumerable.Range(0, r.Next(12)).Select(i => new PurchaseLine(
            $"o{i}", At(), new[] { "A", "B", "C" }[r.Next(3)], Categories[r.Next(Categories.Length)], r.Next(0, 4), r.Next(1, 5) * 12_345L,
            r.Next(3) == 0 ? null : r.Next(1, 5) * 12_345L, r.Next(4) == 0)).ToList();
        var statements = Enumerable.Range(0, r.Next(3)).Select(i => new PreferenceStatement(
            start + (r.Next(3) * Day), $"source {i}", r.Next(2) == 0 ? null : new[] { "quality", "discounts", "perks" }[r.Next(3)],
            r.Next(2) == 0 ? null : [new[] { "garden", "lighting" }[r.Next(2)]])).ToList();
        return new NeedsHistory(interactions, purchases, views, lines, r.Next(3), r.Next(4), r.Next(2), statements);
    }
}
