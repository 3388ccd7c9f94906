namespace Rapport.Engine.Needs;

/// <summary>
/// Names a needs cluster from its centroid in words a marketer uses: what drives them, where they
/// buy, how often ("Discount-driven web shoppers", "Loyal store regulars"). The rules read the
/// centroid's components (all in [0, 1], see <see cref="NeedsVector"/>).
/// </summary>
public static class ClusterLabels
{
    public static string Label(double[] c)
    {
        var regular = c[NeedsVector.Regularity] >= 0.5;
        var stated = new[]
        {
            (c[NeedsVector.StatedQuality], "Quality-seeking"),
            (c[NeedsVector.StatedConvenience], "Convenience-first"),
            (c[NeedsVector.StatedDiscounts], "Discount-driven"),
            (c[NeedsVector.StatedPerks], "Perk-motivated"),
        }.MaxBy(x => x.Item1);

        // Behaviour first: buying on discount is stronger evidence than saying so. A stated value
        // names the cluster when at least half its members state it (one-hot at half weight).
        var driver = c[NeedsVector.PriceSensitivity] >= 0.4 ? "Discount-driven"
            : stated.Item1 >= NeedsVector.StatedWeight / 2 ? stated.Item2
            : regular ? "Loyal"
            : c[NeedsVector.Regularity] < 0.15 ? "New"
            : "Occasional";

        var channels = new[] { (c[NeedsVector.Digital], "web"), (c[NeedsVector.Store], "store"), (c[NeedsVector.Assisted], "phone & chat") };
        var top = channels.MaxBy(x => x.Item1);
        var channel = top.Item1 >= 0.2 ? top.Item2 + " " : "";

        var noun = regular ? "regulars"
            : c[NeedsVector.Regularity] < 0.15 ? "browsers"
            : "shoppers";
        return $"{driver} {channel}{noun}";
    }

    /// <summary>Labels for all centroids, made unique: a repeat gets its focus ("single-category"/"broad") and then a number.</summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<double[]> centroids)
    {
        var labels = centroids.Select(Label).ToArray();
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(x => x.l).Where(g => g.Count() > 1).ToList())
        {
            foreach (var (label, i) in group)
            {
                labels[i] = label + (centroids[i][NeedsVector.Focus] >= 0.6 ? ", single-category" : ", broad");
            }
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            var n = seen[labels[i]] = seen.GetValueOrDefault(labels[i]) + 1;
            if (n > 1)
            {
                labels[i] += " " + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return labels;
    }
}
