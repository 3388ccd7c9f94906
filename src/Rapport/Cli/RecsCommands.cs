using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Rapport.Engine.Recommendations;

namespace Rapport.Cli;

/// <summary>
/// `rapport recs train|top|evaluate`: SAR recommendations offline, for batch work such as
/// emails and for judging the model against a popularity baseline. The maths is in
/// Rapport.Engine.Recommendations; this file parses options and files.
/// </summary>
internal static class RecsCommands
{
    public static Command Create()
    {
        var recs = new Command("recs", "Recommendations (SAR) from an interactions file: train a model, write top-k lists, evaluate");
        recs.Subcommands.Add(Train());
        recs.Subcommands.Add(Top());
        recs.Subcommands.Add(Evaluate());
        return recs;
    }

    private static Command Train()
    {
        var interactions = InteractionsOption();
        var model = new Option<string>("--model") { Description = "Model file to write", Required = true };
        var sar = new SarOptionSet();
        var command = new Command("train", "Train SAR on a CSV of user,item,timestamp[,weight] and save the model");
        command.Options.Add(interactions);
        command.Options.Add(model);
        sar.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var options = sar.Read(parse);
            var error = parse.InvocationConfiguration.Error;
            var clock = Stopwatch.StartNew();
            var data = RecsInteractionFile.Read(parse.GetValue(interactions)!, m => error.WriteLine(m));
            var trained = SarModel.Train(data.Rows, data.Users.Count, data.Items.Count, options, m => error.WriteLine(m));
            string path = parse.GetValue(model)!;
            RecsModelFile.Write(path, new SavedSarModel(trained, data.Users.Keys, data.Items.Keys, options.Similarity, options.HalfLifeDays));
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"Trained SAR ({Name(options.Similarity)}, half-life {options.HalfLifeDays:G} days) on {data.Rows.Length:N0} interactions of {data.Users.Count:N0} users and {data.Items.Count:N0} items in {clock.Elapsed.TotalSeconds:F1} s: {trained.Similarity.NonZeros:N0} item pairs; wrote {path}."));
            return 0;
        });
        return command;
    }

    private static Command Top()
    {
        var model = new Option<string>("--model") { Description = "Model file from `rapport recs train`", Required = true };
        var k = KOption();
        var excludeSeen = new Option<bool>("--exclude-seen") { Description = "Leave out items the user already interacted with" };
        var output = new Option<string>("--out") { Description = "CSV to write: user,item,rank,score", Required = true };
        var command = new Command("top", "Write every user's top k items");
        foreach (var o in new Option[] { model, k, excludeSeen, output })
        {
            command.Options.Add(o);
        }

        command.SetAction(async (parse, ct) =>
        {
            int top = CheckK(parse.GetValue(k));
            var saved = RecsModelFile.Read(parse.GetValue(model)!);
            string path = parse.GetValue(output)!;
            bool exclude = parse.GetValue(excludeSeen);
            long lines = 0;
            await using (var writer = new StreamWriter(path))
            {
                await writer.WriteLineAsync("user,item,rank,score");
                for (int u = 0; u < saved.Model.Users; u++)
                {
                    ct.ThrowIfCancellationRequested();
                    var best = saved.Model.Recommend(u, top, exclude);
                    for (int r = 0; r < best.Length; r++)
                    {
                        await writer.WriteLineAsync(string.Create(
                            CultureInfo.InvariantCulture, $"{Csv(saved.Users[u])},{Csv(saved.Items[best[r].Item])},{r + 1},{best[r].Score:G6}"));
                        lines++;
                    }
                }
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"Wrote {lines:N0} recommendations for {saved.Model.Users:N0} users to {path}.");
            return 0;
        });
        return command;
    }

    private static Command Evaluate()
    {
        var interactions = InteractionsOption();
        var k = KOption();
        var split = new Option<string>("--split")
        {
            Description = "stratified:0.75 (each user's interactions shuffled, 75% train; Microsoft Recommenders' protocol), "
                          + "chronological:0.75 (each user's earliest 75% train) or time:2011-11-01 (everything before the date trains)",
            DefaultValueFactory = _ => "chronological:0.75",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the stratified shuffle", DefaultValueFactory = _ => 42 };
        var sar = new SarOptionSet();
        var command = new Command("evaluate", "Split the interactions, train SAR on one part and report precision, recall, nDCG, MAP at k and coverage against popularity");
        foreach (var o in new Option[] { interactions, k, split, seed })
        {
            command.Options.Add(o);
        }

        sar.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            int top = CheckK(parse.GetValue(k));
            var options = sar.Read(parse);
            string splitText = parse.GetValue(split)!;
            var error = parse.InvocationConfiguration.Error;
            var data = RecsInteractionFile.Read(parse.GetValue(interactions)!, m => error.WriteLine(m));
            var (train, test) = Split(data.Rows, splitText, parse.GetValue(seed));
            if (train.Length == 0 || test.Length == 0)
            {
                throw new UsageException($"--split {splitText} leaves the {(train.Length == 0 ? "training" : "test")} part empty; pick another ratio or date.");
            }

            var clock = Stopwatch.StartNew();
            var result = Evaluation.Run(train, test, data.Users.Count, data.Items.Count, options, top, m => error.WriteLine(m));
            await parse.InvocationConfiguration.Output.WriteAsync(Report(result, splitText, options, top, clock.Elapsed));
            return 0;
        });
        return command;
    }

    private static (Interaction[] Train, Interaction[] Test) Split(Interaction[] rows, string text, int seed)
    {
        var parts = text.Split(':', 2);
        string kind = parts[0];
        string value = parts.Length > 1 ? parts[1] : "";
        if (kind is "stratified" or "chronological")
        {
            if (!double.TryParse(value.Length == 0 ? "0.75" : value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) || !(ratio is > 0 and < 1))
            {
                throw new UsageException($"--split {text}: the training share must be between 0 and 1, e.g. {kind}:0.75.");
            }

            return kind == "stratified" ? InteractionSplit.Stratified(rows, ratio, seed) : InteractionSplit.Chronological(rows, ratio);
        }

        if (kind == "time" && RecsInteractionFile.ParseTime(value) is { } cut)
        {
            return InteractionSplit.TimeCut(rows, cut);
        }

        throw new UsageException($"--split '{text}' is not a split; use stratified:0.75, chronological:0.75 or time:2011-11-01.");
    }

    private static string Report(EvaluationResult r, string split, SarOptions options, int k, TimeSpan elapsed)
    {
        var s = new System.Text.StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Split {split}: {r.TrainInteractions:N0} training and {r.TestInteractions:N0} test interactions, {r.Items:N0} items in training, {r.Sar.Users:N0} test users\n");
        s.Append(CultureInfo.InvariantCulture, $"SAR: {Name(options.Similarity)}, half-life {options.HalfLifeDays:G} days, min co-occurrence {options.MinCooccurrence}; {elapsed.TotalSeconds:F1} s\n");
        s.Append(CultureInfo.InvariantCulture, $"{"",-12}{"precision@" + k,14}{"recall@" + k,14}{"nDCG@" + k,14}{"MAP@" + k,14}{"coverage",14}\n");
        foreach (var (name, m) in new[] { ("SAR", r.Sar), ("popularity", r.Popularity) })
        {
            s.Append(CultureInfo.InvariantCulture, $"{name,-12}{m.Precision,14:F4}{m.Recall,14:F4}{m.Ndcg,14:F4}{m.Map,14:F4}{m.Coverage,14:F4}\n");
        }

        return s.ToString();
    }

    private static Option<string> InteractionsOption() =>
        new("--interactions") { Description = "CSV with a header user,item,timestamp[,weight] (timestamps unix seconds or ISO-8601; .gz read as gzip)", Required = true };

    private static Option<int> KOption() => new("--k") { Description = "How many items per user", DefaultValueFactory = _ => 10 };

    private static int CheckK(int k) => k is >= 1 and <= 1000 ? k : throw new UsageException($"--k {k} must be between 1 and 1000.");

    private static string Name(SimilarityKind kind) => kind.ToString().ToLowerInvariant();

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    /// <summary>SAR's settings as options, shared by train and evaluate.</summary>
    private sealed class SarOptionSet
    {
        private readonly Option<string> _similarity = new("--similarity") { Description = "jaccard, lift or counts", DefaultValueFactory = _ => "jaccard" };
        private readonly Option<double> _halfLife = new("--half-life-days") { Description = "Time decay half-life in days (0 = no decay)", DefaultValueFactory = _ => 30 };
        private readonly Option<int> _minCooccurrence = new("--min-cooccurrence") { Description = "Item pairs seen together by fewer users are ignored", DefaultValueFactory = _ => 1 };
        private readonly Option<int> _maxNeighbours = new("--max-neighbours") { Description = "Keep at most this many similar items per item (0 = all)", DefaultValueFactory = _ => 0 };

        public SarOptionSet() => _similarity.AcceptOnlyFromAmong("jaccard", "lift", "counts");

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { _similarity, _halfLife, _minCooccurrence, _maxNeighbours })
            {
                command.Options.Add(o);
            }
        }

        public SarOptions Read(ParseResult parse)
        {
            double halfLife = parse.GetValue(_halfLife);
            int min = parse.GetValue(_minCooccurrence), max = parse.GetValue(_maxNeighbours);
            if (!(halfLife >= 0) || double.IsInfinity(halfLife))
            {
                throw new UsageException($"--half-life-days {halfLife} must be 0 (no decay) or more, e.g. 30.");
            }

            if (min < 1 || max < 0)
            {
                throw new UsageException(min < 1 ? $"--min-cooccurrence {min} must be at least 1." : $"--max-neighbours {max} must be 0 (all) or more.");
            }

            var kind = Enum.Parse<SimilarityKind>(parse.GetValue(_similarity)!, ignoreCase: true);
            return new SarOptions { Similarity = kind, HalfLifeDays = halfLife, MinCooccurrence = min, MaxNeighbours = max };
        }
    }
}
