using System.Text.Json;
using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

/// <summary>
/// The needs calculation was rewritten from LINQ to loops for the bulk recomputation; stored
/// fingerprints depend on every bit of the result, so the loops must give exactly what the LINQ
/// form gave (<see cref="ReferenceNeedsCalculator"/>), edge cases included.
/// </summary>
public sealed class FastCalculatorTests
{
    private const long Day = 86_400_000;
    // More than the calculator's tally starts with (8), so histories grow it: with five, a
    // customer active in nine categories crashed the needs recomputation unseen (the demo's).
    private static readonly string?[] Categories =
        ["Lamps", "Chairs", "Sofas", "Rugs", "Beds", "Desks", "Mirrors", "Clocks", "Vases", "Lights", "Toys", "Bags", "Mugs", null];
    private static readonly string[] Channels = ["web", "app", "store", "phone", "email", "chat", "kiosk"];
    private static readonly string[] Skus = ["A", "B", "C", "b", "Ä"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_RandomHistories_SameBitsAsTheLinqForm(int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < 2_000; n++)
        {
            var h = History(random);
            var settings = new NeedsSettings(HalfLifeDays: random.Next(2) == 0 ? 90 : 1 + (random.NextDouble() * 30), SpendWeight: random.NextDouble());

            var fast = NeedsCalculator.Compute(h, settings);
            var reference = ReferenceNeedsCalculator.Compute(h, settings);

            Assert.Equal(Json(reference), Json(fast));
            Assert.Equal(ReferenceNeedsCalculator.ChannelMix(reference.Channels), NeedsSummary.ChannelMix(fast.Channels));
        }
    }

    [Fact]
    public void Compute_EmptyHistory_SameAsTheLinqForm()
    {
        Assert.Equal(Json(ReferenceNeedsCalculator.Compute(NeedsHistory.Empty, NeedsSettings.Default)), Json(NeedsCalculator.Compute(NeedsHistory.Empty, NeedsSettings.Default)));
    }

    [Fact]
    public void Compute_EqualAffinities_OrderedByCategory()
    {
        var h = NeedsHistory.Empty with { Views = [new ProductView(Day, "b"), new ProductView(Day, "B"), new ProductView(Day, "a")] };

        var a = NeedsCalculator.Compute(h, NeedsSettings.Default).Affinity;

        Assert.Equal(["B", "a", "b"], a.Select(x => x.Category));
    }

    [Fact]
    public void Affinity_TwelveCategoriesViewedAndBought_EveryOneCounted()
    {
        var names = Enumerable.Range(1, 12).Select(i => $"C{i:00}").ToList();
        var views = names.Select(c => new ProductView(Day, c)).ToList();
        var lines = names.Select((c, i) => new PurchaseLine($"o{i}", Day, "A", c, 1, 10_000, null, false)).ToList();

        var a = NeedsCalculator.Affinity(views, lines, NeedsSettings.Default);

        Assert.Equal(names, a.Select(x => x.Category));
        Assert.All(a, x => Assert.Equal(1.0 / 12, x.Affinity, 12));
    }

    /// <summary>Small histories with ties, same-day and negative-quantity lines (returns), uncategorised activity, statements at equal times.</summary>
    private static NeedsHistory History(Random r)
    {
        var start = (r.Next(-400, 20_000)) * Day;
        long At() => start + (r.Next(0, 4) == 0 ? 0 : r.Next(0, 200) * (Day / (1 + r.Next(3))));
        var interactions = new Dictionary<string, long>();
        var purchases = new Dictionary<string, long>();
        for (var i = r.Next(4); i > 0; i--)
        {
            interactions[Channels[r.Next(Channels.Length)]] = r.Next(1, 30);
        }

        for (var i = r.Next(4); i > 0; i--)
        {
            purchases[Channels[r.Next(Channels.Length)]] = r.Next(1, 10);
        }

        var views = Enumerable.Range(0, r.Next(24)).Select(_ => new ProductView(At(), Categories[r.Next(Categories.Length)])).ToList();
        var lines = Enumerable.Range(0, r.Next(24)).Select(i => new PurchaseLine(
            $"o{i}", At(), Skus[r.Next(Skus.Length)], Categories[r.Next(Categories.Length)], r.Next(-1, 4), r.Next(0, 5) * 12_345L,
            r.Next(3) == 0 ? null : r.Next(0, 5) * 12_345L, r.Next(4) == 0)).ToList();
        var statements = Enumerable.Range(0, r.Next(4)).Select(i => new PreferenceStatement(
            start + (r.Next(3) * Day), $"source {i}", r.Next(3) == 0 ? null : new[] { "Quality", "price", "speed", "nonsense", " perks " }[r.Next(5)],
            r.Next(2) == 0 ? null : [new[] { "garden", "Garden, lighting", "" }[r.Next(3)]])).ToList();
        return new NeedsHistory(interactions, purchases, views, lines, r.Next(3), r.Next(4), r.Next(2), statements);
    }

    private static string Json(CustomerNeeds n) => JsonSerializer.Serialize(n);
}
