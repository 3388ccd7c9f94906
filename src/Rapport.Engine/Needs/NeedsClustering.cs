namespace Rapport.Engine.Needs;

/// <summary>One cluster of a fit: its label, centroid (needs vector) and size.</summary>
public sealed record NeedsCluster(int Index, string Label, double[] Centroid, long Size);

public sealed record NeedsClusterFit(int K, bool KChosen, double? Silhouette, IReadOnlyList<NeedsCluster> Clusters, int[] Assignments, int Iterations);

/// <summary>
/// Fits needs-based clusters: k-means over the normalised needs vectors, k configured or chosen
/// (2 to 8) by the best mean silhouette on a sample, labelled from the centroids. Large
/// populations are fitted on an evenly spaced sample (deterministic) and every point is then
/// assigned to its nearest centroid.
/// </summary>
public static class NeedsClustering
{
    public const int MinK = 2;
    public const int MaxK = 8;
    public const int FitSample = 50_000;
    public const int SilhouetteSample = 1_500;

    public static NeedsClusterFit Fit(IReadOnlyList<double[]> vectors, int? k, int seed = 42)
    {
        // Only "fewer than MinK" and "at most k" matter, so counting stops at the largest k asked for
        // (formatting a million vectors as text to count them all took seconds).
        var distinct = DistinctUpTo(vectors, Math.Max(MaxK, k ?? MaxK));
        if (distinct < MinK)
        {
            throw new ArgumentException($"clustering needs at least {MinK} customers with different needs; there are {distinct}.", nameof(vectors));
        }

        var sample = Sample(vectors, FitSample);
        var chosen = k is null;
        double? silhouette = null;
        int kFinal;
        if (k is { } fixedK)
        {
            kFinal = Math.Min(fixedK, distinct);
        }
        else
        {
            var small = Sample(vectors, SilhouetteSample);
            var distances = new PairDistances(small);

            // The candidates are independent fits (each with its own seeded Random): run them on every core.
            (kFinal, silhouette) = Enumerable.Range(MinK, Math.Min(MaxK, distinct) - MinK + 1)
                .AsParallel()
                .Select(candidate =>
                {
                    var fit = KMeans.Fit(small, candidate, seed);
                    return (candidate, score: KMeans.Silhouette(distances, fit.Assignments, candidate));
                })
                .OrderByDescending(x => x.score)
                .ThenBy(x => x.candidate)
                .Select(x => (x.candidate, (double?)x.score))
                .First();
        }

        var result = KMeans.Fit(sample, kFinal, seed);
        var assignments = new int[vectors.Count];
        Parallel.For(0, vectors.Count, i => assignments[i] = KMeans.Nearest(result.Centroids, vectors[i]));
        var sizes = new long[kFinal];
        foreach (var a in assignments)
        {
            sizes[a]++;
        }

        var labels = ClusterLabels.Labels(result.Centroids);
        var clusters = result.Centroids.Select((c, i) => new NeedsCluster(i, labels[i], c, sizes[i])).ToList();
        return new NeedsClusterFit(kFinal, chosen, silhouette, clusters, assignments, result.Iterations);
    }

    /// <summary>How many different vectors there are, counting no further than <paramref name="cap"/>.</summary>
    public static int DistinctUpTo(IReadOnlyList<double[]> vectors, int cap)
    {
        var seen = new HashSet<double[]>(VectorComparer.Instance);
        foreach (var v in vectors)
        {
            if (seen.Add(v) && seen.Count >= cap)
            {
                break;
            }
        }

        return seen.Count;
    }

    /// <summary>Every ⌈n/max⌉-th point: deterministic and spread over the whole list.</summary>
    public static IReadOnlyList<double[]> Sample(IReadOnlyList<double[]> points, int max)
    {
        if (points.Count <= max)
        {
            return points;
        }

        var step = (points.Count + max - 1) / max;
        var sample = new List<double[]>(max);
        for (var i = 0; i < points.Count; i += step)
        {
            sample.Add(points[i]);
        }

        return sample;
    }
}

/// <summary>Vectors equal component by component.</summary>
internal sealed class VectorComparer : IEqualityComparer<double[]>
{
    public static readonly VectorComparer Instance = new();

    public bool Equals(double[]? x, double[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(double[] v)
    {
        var h = new HashCode();
        foreach (var d in v)
        {
            h.Add(d == 0 ? 0.0 : d); // -0 and 0 are equal: same hash
        }

        return h.ToHashCode();
    }
}
