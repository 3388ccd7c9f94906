namespace Rapport.Core.Needs;

/// <summary>Needs computed for a chunk of customers: the rows of those whose needs moved.</summary>
public sealed class NeedsComputation
{
    public List<long> Changed { get; } = [];

    public List<object?[]> Needs { get; } = [];

    public List<object?[]> Affinity { get; } = [];

    public List<object?[]> Channels { get; } = [];

    public List<object?[]> Cadence { get; } = [];

    /// <summary>Computations of consecutive id ranges as one, in id order.</summary>
    public static NeedsComputation Concat(IEnumerable<NeedsComputation> parts)
    {
        var all = new NeedsComputation();
        foreach (var part in parts)
        {
            all.Changed.AddRange(part.Changed);
            all.Needs.AddRange(part.Needs);
            all.Affinity.AddRange(part.Affinity);
            all.Channels.AddRange(part.Channels);
            all.Cadence.AddRange(part.Cadence);
        }

        return all;
    }
}
