using Rapport.Core.Segments;
using Rapport.Engine.Segments;

namespace Rapport.Core.Demo;

/// <summary>
/// Example segments the demo saves, one per kind of field a marketer combines: value, predicted
/// value, needs (a derived category, a stated preference) and both together. Their windows are
/// none: the sample's orders end in December 2011, so "in the last 90 days" would select nobody.
/// </summary>
public static class DemoSegments
{
    public static IReadOnlyList<(string Name, string Definition)> Examples { get; } =
    [
        ("Platinum customers", "value.tier = \"platinum\""),
        ("Big spenders gone quiet", "value.revenue_percentile >= 0.8 and value.rfm_r <= 2"),
        ("Loyal repeat buyers", "value.orders >= 10 and prediction.p_alive >= 0.8"),
        ("Christmas shoppers", "needs.affinity.Christmas >= 0.2"),
        ("Kitchen lovers who value quality", "needs.top_category = \"Kitchen\" and needs.values_most = \"quality\""),
    ];

    /// <summary>Saves the examples whose names are free (a re-run adds nothing); returns how many were new.</summary>
    public static async Task<int> CreateAsync(SegmentService segments, CancellationToken ct = default)
    {
        var created = 0;
        foreach (var (name, text) in Examples)
        {
            var parsed = SegmentDefinition.Parse(text, segments.Fields);
            var definition = parsed.Definition
                ?? throw new InvalidOperationException($"demo segment {name}: {string.Join("; ", parsed.Errors.Select(e => e.Reason))}");
            if (await segments.CreateAsync(name, definition, ct) is { } saved)
            {
                await saved.Job.Completion;
                created++;
            }
        }

        return created;
    }
}
