using Rapport.Engine.Needs;

namespace Rapport.Engine.Tests.Needs;

public sealed class ClusteringTests
{
    [Fact]
    public void KMeans_ThreeBlobs_FindsThem()
    {
        var points = Blobs(seed: 1, (0.1, 0.1), (0.9, 0.1), (0.5, 0.9));

        var fit = KMeans.Fit(points, 3, seed: 7);

        Assert.Equal([30, 30, 30], fit.Sizes.Order());
        for (var b = 0; b < 3; b++)
        {
            Assert.Single(fit.Assignments.Skip(b * 30).Take(30).Distinct());
        }
    }

    [Fact]
    public void KMeans_SameSeed_SameResult()
    {
        var points = Blobs(seed: 2, (0.2, 0.3), (0.7, 0.8), (0.4, 0.4), (0.9, 0.1));

        var a = KMeans.Fit(points, 4, seed: 42);
        var b = KMeans.Fit(points, 4, seed: 42);

        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Inertia, b.Inertia);
    }

    [Fact]
    public void KMeans_FewerPointsThanK_Throws()
    {
        Assert.Throws<ArgumentException>(() => KMeans.Fit([[0.0], [1.0]], 3));
    }

    [Fact]
    public void Clustering_ChoosesKBySilhouette()
    {
        var points = Blobs(seed: 3, (0.1, 0.1), (0.9, 0.1), (0.5, 0.9));

        var fit = NeedsClustering.Fit(points.Select(p => Pad(p)).ToList(), k: null);

        Assert.True(fit.KChosen);
        Assert.Equal(3, fit.K);
        Assert.True(fit.Silhouette > 0.7, $"silhouette {fit.Silhouette}");
        Assert.Equal(90, fit.Clusters.Sum(c => c.Size));
    }

    [Fact]
    public void Silhouette_FromPairDistances_SameBitsAsDistancesComputedPerPair()
    {
        var random = new Random(11);
        var points = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 9).Select(_ => random.NextDouble()).ToArray()).ToList();
        var distances = new PairDistances(points);

        for (var k = 2; k <= 8; k++)
        {
            var fit = KMeans.Fit(points, k, seed: 42);
            Assert.Equal(ReferenceSilhouette(points, fit.Assignments, k), KMeans.Silhouette(distances, fit.Assignments, k));
        }
    }

    /// <summary>The silhouette as first written, a distance computed for every ordered pair: the reference.</summary>
    private static double ReferenceSilhouette(IReadOnlyList<double[]> points, int[] assignments, int k)
    {
        var total = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var sums = new double[k];
            var counts = new int[k];
            for (var j = 0; j < points.Count; j++)
            {
                if (i != j)
                {
                    sums[assignments[j]] += Math.Sqrt(KMeans.Distance2(points[i], points[j]));
                    counts[assignments[j]]++;
                }
            }

            var own = assignments[i];
            if (counts[own] == 0)
            {
                continue;
            }

            var a = sums[own] / counts[own];
            var b = double.MaxValue;
            for (var c = 0; c < k; c++)
            {
                if (c != own && counts[c] > 0)
                {
                    b = Math.Min(b, sums[c] / counts[c]);
                }
            }

            if (b < double.MaxValue && Math.Max(a, b) > 0)
            {
                total += (b - a) / Math.Max(a, b);
            }
        }

        return points.Count == 0 ? 0 : total / points.Count;
    }

    [Fact]
    public void Clustering_AllAlike_SaysWhy()
    {
        var e = Assert.Throws<ArgumentException>(() => NeedsClustering.Fit([Pad([0.5, 0.5]), Pad([0.5, 0.5])], k: 2));
        Assert.Contains("different needs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_ReadTheCentroid()
    {
        var discountWeb = Centroid(price: 0.7, digital: 0.9, regularity: 0.3);
        var loyalStore = Centroid(price: 0.05, store: 0.8, regularity: 0.8);
        var qualityPhone = Centroid(price: 0.1, assisted: 0.6, regularity: 0.3, quality: 0.4);
        var newWeb = Centroid(price: 0, digital: 1, regularity: 0);

        Assert.Equal("Discount-driven web shoppers", ClusterLabels.Label(discountWeb));
        Assert.Equal("Loyal store regulars", ClusterLabels.Label(loyalStore));
        Assert.Equal("Quality-seeking phone & chat shoppers", ClusterLabels.Label(qualityPhone));
        Assert.Equal("New web browsers", ClusterLabels.Label(newWeb));
    }

    [Fact]
    public void Labels_AreUnique()
    {
        var focused = Centroid(price: 0.7, digital: 0.9, regularity: 0.3, focus: 0.9);
        var broad = Centroid(price: 0.8, digital: 0.9, regularity: 0.3, focus: 0.2);
        var broad2 = Centroid(price: 0.9, digital: 0.9, regularity: 0.3, focus: 0.3);

        var labels = ClusterLabels.Labels([focused, broad, broad2]);

        Assert.Equal(
            ["Discount-driven web shoppers, single-category", "Discount-driven web shoppers, broad", "Discount-driven web shoppers, broad 2"],
            labels);
    }

    [Fact]
    public void Vector_IsNormalised()
    {
        var v = NeedsVector.Of(new NeedsSummary(0.3, 0.6, 0.4, 0, 1000, 0.7, "discounts"));

        Assert.All(v, x => Assert.InRange(x, 0, 1));
        Assert.Equal(1, v[NeedsVector.Regularity]);
        Assert.Equal(NeedsVector.StatedWeight, v[NeedsVector.StatedDiscounts]);
        Assert.Equal(0.5, NeedsVector.Regularity01(4), 1);
    }

    private static double[] Centroid(
        double price = 0, double digital = 0, double store = 0, double assisted = 0, double regularity = 0, double focus = 0.5, double quality = 0)
    {
        var c = new double[NeedsVector.Length];
        c[NeedsVector.PriceSensitivity] = price;
        c[NeedsVector.Digital] = digital;
        c[NeedsVector.Store] = store;
        c[NeedsVector.Assisted] = assisted;
        c[NeedsVector.Regularity] = regularity;
        c[NeedsVector.Focus] = focus;
        c[NeedsVector.StatedQuality] = quality;
        return c;
    }

    private static double[] Pad(double[] p)
    {
        var v = new double[NeedsVector.Length];
        p.CopyTo(v, 0);
        return v;
    }

    private static List<double[]> Blobs(int seed, params (double X, double Y)[] centres)
    {
        var random = new Random(seed);
        return centres
            .SelectMany(c => Enumerable.Range(0, 30).Select(_ => new[] { c.X + ((random.NextDouble() - 0.5) * 0.1), c.Y + ((random.NextDouble() - 0.5) * 0.1) }))
            .ToList();
    }

    [Fact]
    public void DistinctUpTo_CountsDifferentVectors_StopsAtTheCap()
    {
        double[][] vectors = [[0, 1], [0, 1], [1, 0], [0.5, 0.5], [1, 0], [0.25, 0.75]];

        Assert.Equal(4, NeedsClustering.DistinctUpTo(vectors, 20));
        Assert.Equal(2, NeedsClustering.DistinctUpTo(vectors, 2));
        Assert.Equal(1, NeedsClustering.DistinctUpTo([[0, 1], [0, 1]], 20));
    }

    [Fact]
    public void KMeans_ManyPoints_AssignedInParallel_EachToItsNearestCentroid_SameOnEveryRun()
    {
        var random = new Random(3);
        // Five well separated blobs, so Lloyd converges well before its iteration limit.
        var points = Enumerable.Range(0, 30_000)
            .Select(i => new[] { (i % 5) + (random.NextDouble() * 0.5), (i % 5 * 2) + (random.NextDouble() * 0.5), random.NextDouble() * 0.5 })
            .ToList();

        var fit = KMeans.Fit(points, 5, seed: 9);
        var again = KMeans.Fit(points, 5, seed: 9);

        Assert.True(fit.Iterations < 100);
        Assert.Equal(fit.Assignments, again.Assignments);
        Assert.Equal(fit.Centroids, again.Centroids);
        Assert.All(Enumerable.Range(0, points.Count), i => Assert.Equal(KMeans.Nearest(fit.Centroids, points[i]), fit.Assignments[i]));
        Assert.Equal(points.Count, fit.Sizes.Sum());
    }
}
