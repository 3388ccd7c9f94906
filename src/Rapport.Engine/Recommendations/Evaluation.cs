namespace Rapport.Engine.Recommendations;

/// <summary>SAR against the popularity baseline on one split.</summary>
public sealed record EvaluationResult(RankingScores Sar, RankingScores Popularity, int TrainInteractions, int TestInteractions, int Items);

/// <summary>
/// Trains SAR on the training part and ranks k items for every user who has training history
/// and, in the test part, at least one item they did not already have in training (the relevant
/// items). Both SAR and popularity leave out the user's training items, so both are judged on
/// finding something new.
/// </summary>
public static class Evaluation
{
    public static EvaluationResult Run(
        Interaction[] train, Interaction[] test, int users, int items, SarOptions options, int k, Action<string>? progress = null)
    {
        var model = SarModel.Train(train, users, items, options, progress);
        var catalogue = new bool[items];
        foreach (var x in train)
        {
            catalogue[x.Item] = true;
        }

        var relevant = new Dictionary<int, HashSet<int>>();
        foreach (var x in test)
        {
            if (model.Affinity.Columns(x.User).Length > 0 && !model.Affinity.Contains(x.User, x.Item))
            {
                (relevant.TryGetValue(x.User, out var set) ? set : relevant[x.User] = []).Add(x.Item);
            }
        }

        // Test items never seen in training stay relevant (a miss for both methods), as in
        // Microsoft Recommenders' evaluation, so recall is not flattered.
        var userIds = relevant.Keys.Order().ToArray();
        var truth = userIds.Select(u => (IReadOnlySet<int>)relevant[u]).ToArray();
        var sar = new int[userIds.Length][];
        var popular = new int[userIds.Length][];
        progress?.Invoke($"ranking {k} items for {userIds.Length:N0} test users");
        for (int n = 0; n < userIds.Length; n++)
        {
            int u = userIds[n];
            var seen = model.Affinity.Columns(u).ToArray();
            sar[n] = model.Recommend(u, k, excludeSeen: true).Select(s => s.Item).ToArray();
            popular[n] = model.Popular(k, i => Array.BinarySearch(seen, i) < 0).Select(s => s.Item).ToArray();
        }

        int catalogueSize = catalogue.Count(c => c);
        return new EvaluationResult(
            RankingMetrics.Compute(sar, truth, k, catalogueSize),
            RankingMetrics.Compute(popular, truth, k, catalogueSize),
            train.Length,
            test.Length,
            catalogueSize);
    }
}
