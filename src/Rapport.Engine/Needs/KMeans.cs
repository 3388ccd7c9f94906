namespace Rapport.Engine.Needs;

/// <summary>A k-means fit: centroids, each point's cluster and the within-cluster sum of squares.</summary>
public sealed record KMeansResult(double[][] Centroids, int[] Assignments, int[] Sizes, double Inertia, int Iterations);

/// <summary>
/// Lloyd's k-means with k-means++ seeding, deterministic for a seed (System.Random with a seed
/// gives the same sequence on every run and platform). An emptied cluster is re-seeded with the
/// point farthest from its centroid, so exactly k clusters come back when there are k distinct points.
/// </summary>
public static class KMeans
{
    public static KMeansResult Fit(IReadOnlyList<double[]> points, int k, int seed = 42, int maxIterations = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (points.Count < k)
        {
            throw new ArgumentException($"k-means needs at least k = {k} points; there are {points.Count}.", nameof(points));
        }

        var random = new Random(seed);
        var centroids = SeedPlusPlus(points, k, random);
        var assignments = new int[points.Count];
        Array.Fill(assignments, -1);
        var iterations = 0;
        while (iterations < maxIterations)
        {
            iterations++;
            var moved = Assign(points, centroids, assignments);
            Update(points, centroids, assignments);
            if (!moved)
            {
                break;
            }
        }

        var sizes = new int[k];
        var inertia = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            sizes[assignments[i]]++;
            inertia += Distance2(points[i], centroids[assignments[i]]);
        }

        return new KMeansResult(centroids, assignments, sizes, inertia, iterations);
    }

    /// <summary>The nearest centroid (ties: the lowest index).</summary>
    public static int Nearest(IReadOnlyList<double[]> centroids, double[] point)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var c = 0; c < centroids.Count; c++)
        {
            var d = Distance2(point, centroids[c]);
            if (d < bestDistance)
            {
                (best, bestDistance) = (c, d);
            }
        }

        return best;
    }

    public static double Distance2(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    private static double[][] SeedPlusPlus(IReadOnlyList<double[]> points, int k, Random random)
    {
        var centroids = new List<double[]> { (double[])points[random.Next(points.Count)].Clone() };
        var d2 = new double[points.Count];
        while (centroids.Count < k)
        {
            var total = 0.0;
            for (var i = 0; i < points.Count; i++)
            {
                d2[i] = Distance2(points[i], centroids[Nearest(centroids, points[i])]);
                total += d2[i];
            }

            var next = 0;
            if (total > 0)
            {
                var target = random.NextDouble() * total;
                for (next = 0; next < points.Count - 1 && (target -= d2[next]) > 0; next++)
                {
                }
            }

            centroids.Add((double[])points[next].Clone());
        }

        return centroids.ToArray();
    }

    /// <summary>Points per parallel assignment: each point's nearest centroid is independent, so the result is the same.</summary>
    private const int ParallelFrom = 10_000;

    private static bool Assign(IReadOnlyList<double[]> points, double[][] centroids, int[] assignments)
    {
        if (points.Count >= ParallelFrom)
        {
            var any = 0;
            Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, points.Count, ParallelFrom / 4), range =>
            {
                var movedHere = false;
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    var c = Nearest(centroids, points[i]);
                    if (c != assignments[i])
                    {
                        assignments[i] = c;
                        movedHere = true;
                    }
                }

                if (movedHere)
                {
                    Volatile.Write(ref any, 1);
                }
            });
            return any == 1;
        }

        var moved = false;
        for (var i = 0; i < points.Count; i++)
        {
            var c = Nearest(centroids, points[i]);
            if (c != assignments[i])
            {
                assignments[i] = c;
                moved = true;
            }
        }

        return moved;
    }

    private static void Update(IReadOnlyList<double[]> points, double[][] centroids, int[] assignments)
    {
        var k = centroids.Length;
        var dims = centroids[0].Length;
        var sums = new double[k][];
        var counts = new int[k];
        for (var c = 0; c < k; c++)
        {
            sums[c] = new double[dims];
        }

        for (var i = 0; i < points.Count; i++)
        {
            var c = assignments[i];
            counts[c]++;
            for (var j = 0; j < dims; j++)
            {
                sums[c][j] += points[i][j];
            }
        }

        for (var c = 0; c < k; c++)
        {
            if (counts[c] == 0)
            {
                // Re-seed an empty cluster with the point farthest from its own centroid.
                var far = Enumerable.Range(0, points.Count).MaxBy(i => Distance2(points[i], centroids[assignments[i]]));
                centroids[c] = (double[])points[far].Clone();
                assignments[far] = c;
                continue;
            }

            for (var j = 0; j < dims; j++)
            {
                centroids[c][j] = sums[c][j] / counts[c];
            }
        }
    }

    /// <summary>
    /// Mean silhouette of a clustering (−1 to 1, higher = better separated), the criterion for
    /// choosing k. O(n²): callers pass a sample.
    /// </summary>
    public static double Silhouette(IReadOnlyList<double[]> points, int[] assignments, int k) =>
        Silhouette(new PairDistances(points), assignments, k);

    /// <summary>
    /// The same from distances computed once: choosing k scores every candidate on one sample,
    /// and the distances (a square root per pair) were most of each score's cost.
    /// </summary>
    public static double Silhouette(PairDistances distances, int[] assignments, int k)
    {
        var total = 0.0;
        var sums = new double[k];
        var counts = new int[k];
        var n = distances.Count;
        for (var i = 0; i < n; i++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            var row = distances.Row(i);
            for (var j = 0; j < n; j++)
            {
                if (i != j)
                {
                    sums[assignments[j]] += row[j];
                    counts[assignments[j]]++;
                }
            }

            var own = assignments[i];
            if (counts[own] == 0)
            {
                continue; // a singleton's silhouette is 0
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

        return n == 0 ? 0 : total / n;
    }
}
