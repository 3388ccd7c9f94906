namespace Rapport.Engine.Needs;

/// <summary>
/// Euclidean distances between every two points of a sample (n² doubles: 18 MB for the 1,500
/// points k is chosen on), computed once and read by every candidate's silhouette. Each pair is
/// computed once: (a − b)² and (b − a)² are the same bits, so the matrix is symmetric exactly.
/// </summary>
public sealed class PairDistances
{
    private readonly double[] _d;

    public PairDistances(IReadOnlyList<double[]> points)
    {
        var n = points.Count;
        Count = n;
        _d = new double[n * n];
        // Rows are independent (each writes its own upper-triangle cells and their mirror): every core.
        Parallel.For(0, n, i =>
        {
            for (var j = i + 1; j < n; j++)
            {
                var d = Math.Sqrt(KMeans.Distance2(points[i], points[j]));
                _d[(i * n) + j] = d;
                _d[(j * n) + i] = d;
            }
        });
    }

    public int Count { get; }

    /// <summary>Distances from point <paramref name="i"/> to every point (0 to itself).</summary>
    public ReadOnlySpan<double> Row(int i) => _d.AsSpan(i * Count, Count);
}
