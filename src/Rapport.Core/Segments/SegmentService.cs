using System.Text.Json.Nodes;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>
/// How many customers a definition selects now, and a few of them, without saving it. When
/// <paramref name="Sampled"/> is set the count is an estimate from that many customers drawn at
/// random, give or take <paramref name="Margin"/> (95%).
/// </summary>
public sealed record SegmentPreview(long Count, long Customers, IReadOnlyList<long> Sample, string Text, JsonNode Definition, long? Sampled = null, long? Margin = null);

/// <summary>Creating, deleting and previewing segments; recomputation runs through <see cref="SegmentJobs"/>.</summary>
public sealed class SegmentService(
    IDatabase database, StoreWriter writer, SegmentRuntime runtime, SnapshotLoader loader, SegmentJobs jobs, SegmentFields fields, TimeProvider clock)
{
    public const int MaxNameLength = 200;

    public SegmentFields Fields => fields;

    /// <summary>
    /// Reads a definition given as JSON (<paramref name="definition"/>, positions as JSON paths
    /// under $.definition) or as text (<paramref name="text"/>, positions as line and column): exactly one of them.
    /// </summary>
    public SegmentParseResult Read(JsonNode? definition, string? text)
    {
        if ((definition is null) == (text is null))
        {
            return new SegmentParseResult(null, [new SegmentError(SourcePosition.AtPath("$"),
                "give the definition either as \"definition\" (JSON) or as \"text\" (e.g. bought(last 30 days)), not both or neither")]);
        }

        return text is not null ? SegmentDefinition.Parse(text, fields) : SegmentDefinition.FromJson(definition, fields, "$.definition");
    }

    /// <summary>Saves the segment (status building) and starts computing its members; null when the name is taken.</summary>
    public async Task<(long Id, RecomputeJob Job)?> CreateAsync(string name, SegmentDefinition definition, CancellationToken ct = default)
    {
        var id = await writer.WriteAsync<long?>(async unit =>
        {
            if (await SegmentStore.FindByNameAsync(unit, name) is not null)
            {
                return null;
            }

            var created = await SegmentStore.InsertAsync(unit, name, definition);
            runtime.Invalidate();
            return created;
        }, ct);
        return id is { } saved ? (saved, jobs.Start()) : null;
    }

    /// <summary>Deletes the segment and its memberships (no Segment Left events: the customers did not leave, the segment went).</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken ct = default)
    {
        var deleted = await writer.WriteAsync(async unit =>
        {
            var gone = await SegmentStore.DeleteAsync(unit, id);
            if (gone)
            {
                runtime.Invalidate();
            }

            return gone;
        }, ct);
        if (deleted)
        {
            jobs.Start();
        }

        return deleted;
    }

    /// <summary>Recomputes every segment's membership from the store, in the background.</summary>
    public RecomputeJob Recompute() => jobs.Start();

    /// <summary>
    /// Evaluates the definition over every live customer exactly as a saved segment would be, without saving.
    /// Over <paramref name="exactUpTo"/> live customers it evaluates a random sample instead
    /// (<see cref="SegmentEstimate"/>): the dashboard's preview at a million customers.
    /// </summary>
    // Every event kind a preview counts, over the longest window, and the value and prediction
    // rows: what a sampled preview may read of its fixed sample.
    private const string WarmUpText = "count(track, last 3650 days) >= 1 or count(page, last 3650 days) >= 1 or value.orders >= 1 or prediction.p_alive >= 0";

    /// <summary>
    /// Reads the sampled preview's customers once (their value and prediction rows and their
    /// events), so that the first preview after a start is not a cold read of thousands of
    /// scattered rows (seconds at a million customers, against about 0.2 s warm). The sample is
    /// fixed (<see cref="SegmentEstimate"/>'s seed), so these are the rows every sampled preview reads.
    /// </summary>
    public Task<SegmentPreview> WarmPreviewSampleAsync(long exactUpTo, CancellationToken ct = default) =>
        PreviewAsync(SegmentDefinition.Parse(WarmUpText, fields).Definition!, 0, ct, exactUpTo);

    public async Task<SegmentPreview> PreviewAsync(SegmentDefinition definition, int sampleSize, CancellationToken ct = default, long exactUpTo = long.MaxValue)
    {
        var set = SegmentSet.Compile([definition], fields);
        var today = SegmentSet.DayOf(UnixTime.ToStorage(clock.GetUtcNow()));
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (exactUpTo < long.MaxValue && await SegmentEstimate.DrawAsync(connection, transaction, exactUpTo, ct) is { } draw)
        {
            var drawn = await loader.LoadAsync(connection, transaction, database.Dialect, set, draw.Ids, today, null, ct);
            var matched = drawn.Values.Where(s => set.Matches(s, 0, today)).Select(s => s.CustomerId).Order().ToList();
            var (count, margin) = SegmentEstimate.Scale(matched.Count, drawn.Count, draw.Live);
            return new SegmentPreview(count, draw.Live, matched.Take(Math.Max(0, sampleSize)).ToList(), definition.Text, definition.ToJson(), drawn.Count, margin);
        }

        var snapshots = await loader.LoadAsync(connection, transaction, database.Dialect, set, null, today, null, ct);
        var members = new List<long>();
        foreach (var s in snapshots.Values)
        {
            if (set.Matches(s, 0, today))
            {
                members.Add(s.CustomerId);
            }
        }

        members.Sort();
        return new SegmentPreview(members.Count, snapshots.Count, members.Take(Math.Max(0, sampleSize)).ToList(), definition.Text, definition.ToJson());
    }
}
