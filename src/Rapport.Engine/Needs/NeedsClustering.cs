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
        var distinct = vectors.Select(v => string.Join(",", v)).Distinct().Count();
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
            (kFinal, silhouette) = Enumerable.Range(MinK, Math.Min(MaxK, distinct) - MinK + 1)
                .Select(candidate =>
                {
                    var fit = KMeans.Fit(small, candidate, seed);
                    return (candidate, score: KMeans.Silhouette(small, fit.Assignments, candidate));
                })
                .OrderByDescending(x => x.score)
                .ThenBy(x => x.candidate)
                .Select(x => (x.candidate, (double?)x.score))
                .First();
        }

        var result = KMeans.Fit(sample, kFinal, seed);
        var assignments = new int[vectors.Count];
        var sizes = new long[kFinal];
        for (var i = 0; i < vectors.Count; i++)
        {
            assignments[i] = KMeans.Nearest(result.Centroids, vectors[i]);
            sizes[assignments[i]]++;
        }

        var labels = ClusterLabels.Labels(result.Centroids);
        var clusters = result.Centroids.Select((c, i) => new NeedsCluster(i, labels[i], c, sizes[i])).ToList();
        return new NeedsClusterFit(kFinal, chosen, silhouette, clusters, assignments, result.Iterations);
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
