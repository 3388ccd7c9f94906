using Rapport.Engine.Recommendations;

namespace Rapport.Engine.Tests.Recommendations;

public sealed class RulesTests
{
    [Fact]
    public void RepeatRates_ShareOfBuyersWhoBoughtOnTwoDays()
    {
        // Item 0: user 0 on days 1 and 5, user 1 on day 2 → 1/2. Item 1: user 0 twice on day 1 → 0.
        var rates = PurchaseRules.RepeatRates([(0, 0, 1), (0, 0, 5), (1, 0, 2), (0, 1, 1), (0, 1, 1)], 3);

        Assert.Equal([0.5f, 0f, 0f], rates);
    }

    [Fact]
    public void Gate_RefusesUnbuyableExcludedAndBoughtOnceItems_AllowsRepeatItemsBoughtBefore()
    {
        // 0 buyable, 1 unavailable, 2 buyable and bought (rarely repeated), 3 buyable and bought (repeat item), 4 excluded.
        var rules = new PurchaseRules([true, false, true, true, true], [0, 0, 0.05f, 0.6f, 0], repeatThreshold: 0.2f);

        var gate = rules.Gate(new HashSet<int> { 2, 3 }, new HashSet<int> { 4 });

        Assert.True(gate(0));
        Assert.False(gate(1));
        Assert.False(gate(2));
        Assert.True(gate(3));
        Assert.False(gate(4));
        Assert.False(gate(99)); // an id the catalogue never had
    }

    [Fact]
    public void Fbt_NeedsSupportAndLiftAboveOne()
    {
        // Baskets: {0,1} ×3, {0,2} ×1, {1,3} ×1, {3} ×5. Pair 0-2 has support 1 (< 2); 1-3 has lift below 1.
        var lines = new List<(int, int, float)>();
        int basket = 0;
        void Add(params int[] items)
        {
            foreach (int i in items)
            {
                lines.Add((basket, i, 1));
            }

            basket++;
        }

        for (int n = 0; n < 3; n++)
        {
            Add(0, 1);
        }

        Add(0, 2);
        Add(1, 3);
        for (int n = 0; n < 5; n++)
        {
            Add(3);
        }

        var fbt = FrequentlyBoughtTogether.Build(SparseRows.FromTriplets(basket, 4, lines.ToArray()), minSupport: 2);

        var with0 = fbt.For(0, 5);
        Assert.Equal(1, Assert.Single(with0).Item);
        Assert.Equal(3f / 4, with0[0].Score, 5); // P(1 | 0) = 3 of 4 baskets with 0
        Assert.Equal(3, fbt.Support(0, 1));
        Assert.Equal(0, fbt.Support(0, 2));
        Assert.DoesNotContain(fbt.For(1, 5), x => x.Item == 3);
        Assert.Empty(fbt.For(0, 5, i => i != 1));
        Assert.Empty(fbt.For([0, 1], 5)); // the cart's own items are left out
    }

    [Fact]
    public void UpSell_SameCategoryHigherPrice_MostSimilarFirst()
    {
        // Items: 0 mug £5 (cat 0), 1 mug £8, 2 mug £12, 3 mug £4, 4 plate £20 (cat 1).
        var catalog = new ItemCatalog([0, 0, 0, 0, 1], [5, 8, 12, 4, 20], [double.NaN, double.NaN, double.NaN, double.NaN, double.NaN]);
        var similarity = SparseRows.FromTriplets(5, 5, new (int, int, float)[] { (0, 0, 1), (0, 2, 0.6f), (0, 1, 0.2f), (0, 3, 0.9f), (0, 4, 0.9f) });

        var up = UpSell.For(0, 5, catalog, similarity, [1, 1, 1, 1, 1]);

        Assert.Equal([2, 1], up.Select(u => u.Item)); // not the cheaper mug 3, not the plate
        Assert.Equal([1], UpSell.For(0, 5, catalog, similarity, [1, 1, 1, 1, 1], i => i != 2).Select(u => u.Item));
        Assert.Empty(UpSell.For(4, 5, catalog, similarity, [1, 1, 1, 1, 1])); // nothing dearer in its category
    }

    [Fact]
    public void UpSell_SamePriceHigherMarginCountsAsAStepUp()
    {
        var catalog = new ItemCatalog([0, 0], [10, 10], [2, 4]);

        Assert.True(catalog.IsStepUp(0, 1));
        Assert.False(catalog.IsStepUp(1, 0));
    }
}
