namespace Rapport.Engine.Recommendations;

/// <summary>Ways to cut interactions into a training and a test part for offline evaluation.</summary>
public static class InteractionSplit
{
    /// <summary>
    /// Microsoft Recommenders' stratified split: each user's interactions are shuffled (seeded)
    /// and the first round(ratio × n) go to training, so every user is in both parts in proportion.
    /// </summary>
    public static (Interaction[] Train, Interaction[] Test) Stratified(ReadOnlySpan<Interaction> data, double trainRatio, int seed = 42)
    {
        var random = new Random(seed);
        return PerUser(data, trainRatio, (user, rows) => random.Shuffle(rows));
    }

    /// <summary>Each user's earliest round(ratio × n) interactions train, their latest are the test: predict what they do next.</summary>
    public static (Interaction[] Train, Interaction[] Test) Chronological(ReadOnlySpan<Interaction> data, double trainRatio) =>
        PerUser(data, trainRatio, (user, rows) => rows.Sort(static (a, b) => a.Time.CompareTo(b.Time)));

    /// <summary>Everything before <paramref name="cut"/> (unix seconds) trains, the rest is the test: the deployment situation.</summary>
    public static (Interaction[] Train, Interaction[] Test) TimeCut(ReadOnlySpan<Interaction> data, long cut)
    {
        var train = new List<Interaction>();
        var test = new List<Interaction>();
        foreach (var x in data)
        {
            (x.Time < cut ? train : test).Add(x);
        }

        return (train.ToArray(), test.ToArray());
    }

    private static (Interaction[] Train, Interaction[] Test) PerUser(ReadOnlySpan<Interaction> data, double trainRatio, Action<int, Span<Interaction>> order)
    {
        if (!(trainRatio is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trainRatio), "The training share must be between 0 and 1, e.g. 0.75.");
        }

        // Group by user keeping file order inside a user (stable), then order and cut each group.
        var grouped = data.ToArray().OrderBy(x => x.User).ToArray(); // OrderBy is stable
        var train = new List<Interaction>((int)(grouped.Length * trainRatio) + 1);
        var test = new List<Interaction>();
        int start = 0;
        while (start < grouped.Length)
        {
            int end = start + 1;
            while (end < grouped.Length && grouped[end].User == grouped[start].User)
            {
                end++;
            }

            var mine = grouped.AsSpan(start, end - start);
            order(grouped[start].User, mine);
            int cut = (int)Math.Round(trainRatio * mine.Length, MidpointRounding.AwayFromZero);
            train.AddRange(mine[..cut]);
            test.AddRange(mine[cut..]);
            start = end;
        }

        return (train.ToArray(), test.ToArray());
    }
}
