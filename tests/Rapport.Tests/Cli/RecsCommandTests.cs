using System.Globalization;
using System.Text.RegularExpressions;
using Rapport.Cli;

namespace Rapport.Tests.Cli;

/// <summary>`rapport recs` in-process through the real command tree, on small CSV files.</summary>
public sealed partial class RecsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rapport-recs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private string WriteFile(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>300 users in 6 taste clusters of 15 items, 10 items each, one of them a globally popular item; ISO and unix times mixed.</summary>
    private string Clustered()
    {
        var random = new Random(5);
        var lines = new List<string> { "user,item,timestamp,weight" };
        for (int u = 0; u < 300; u++)
        {
            int cluster = u % 6;
            var items = Enumerable.Range(cluster * 15, 15).OrderBy(_ => random.Next()).Take(9).Append(random.Next(3)).Distinct().ToList();
            for (int n = 0; n < items.Count; n++)
            {
                var at = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours((n * 24) + u);
                string time = n % 2 == 0 ? at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                lines.Add($"user{u},item{items[n]},{time},{(n == 0 ? "" : "1")}");
            }
        }

        return WriteFile("clustered.csv", lines);
    }

    [Fact]
    public async Task TrainTopEvaluate_SarBeatsPopularityOnClusteredTastes()
    {
        string interactions = Clustered();
        string model = Path.Combine(_dir, "model.sar");
        string top = Path.Combine(_dir, "top.csv");

        var train = await RunAsync("recs", "train", "--interactions", interactions, "--model", model);
        var ranked = await RunAsync("recs", "top", "--model", model, "--k", "5", "--exclude-seen", "--out", top);
        var evaluated = await RunAsync("recs", "evaluate", "--interactions", interactions, "--k", "5", "--split", "stratified:0.75");

        Assert.Equal(0, train.Exit);
        Assert.Contains("of 300 users and 90 items", train.Out, StringComparison.Ordinal);
        Assert.Contains("similarity: 90/90 items (100%)", train.Err, StringComparison.Ordinal); // progress
        Assert.Equal(0, ranked.Exit);
        var rows = File.ReadAllLines(top);
        Assert.Equal("user,item,rank,score", rows[0]);
        Assert.Equal(1 + (300 * 5), rows.Length);
        var user0 = rows.Skip(1).Where(r => r.StartsWith("user0,", StringComparison.Ordinal)).Select(r => r.Split(',')).ToList();
        Assert.Equal(["1", "2", "3", "4", "5"], user0.Select(r => r[2]));
        var seen = File.ReadAllLines(interactions).Where(l => l.StartsWith("user0,", StringComparison.Ordinal)).Select(l => l.Split(',')[1]).ToHashSet();
        Assert.DoesNotContain(user0, r => seen.Contains(r[1]));
        Assert.All(user0, r => Assert.InRange(int.Parse(r[1]["item".Length..], CultureInfo.InvariantCulture), 0, 14)); // user0's cluster

        Assert.Equal(0, evaluated.Exit);
        var sar = Metrics(evaluated.Out, "SAR");
        var popularity = Metrics(evaluated.Out, "popularity");
        Assert.True(sar[0] > 2 * popularity[0], evaluated.Out); // precision
        Assert.True(sar[2] > popularity[2], evaluated.Out); // nDCG
        Assert.True(sar[3] > popularity[3], evaluated.Out); // MAP
    }

    [Theory]
    [InlineData("chronological:0.8")]
    [InlineData("time:2024-01-05")]
    public async Task Evaluate_OtherSplits_Run(string split)
    {
        var (exit, output, error) = await RunAsync("recs", "evaluate", "--interactions", Clustered(), "--split", split, "--similarity", "lift", "--half-life-days", "0");

        Assert.True(exit == 0, error);
        Assert.Contains($"Split {split}", output, StringComparison.Ordinal);
        Assert.Contains("SAR: lift, half-life 0 days", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user,item\nu1,i1", "line 1: the header needs the columns user,item,timestamp")]
    [InlineData("user,item,timestamp\nu1,i1,2024-01-01\nu2,i2,yesterday", "line 3: timestamp 'yesterday' is neither unix seconds nor ISO-8601")]
    [InlineData("user,item,timestamp,weight\nu1,i1,1700000000,-2", "line 2: weight '-2' is not a number of at least 0")]
    [InlineData("user,item,timestamp\nu1,,1700000000", "line 2: the item is empty")]
    [InlineData("user,item,timestamp\n", "has a header but no interactions")]
    public async Task Train_BadFile_Exit2WithLineAndReason(string content, string expected)
    {
        string path = WriteFile("bad.csv", content.Split('\n'));

        var (exit, _, error) = await RunAsync("recs", "train", "--interactions", path, "--model", Path.Combine(_dir, "m.sar"));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "m.sar")));
    }

    [Fact]
    public async Task BadOptionsAndModel_Exit2()
    {
        string garbage = WriteFile("garbage.sar", ["not a model"]);

        var top = await RunAsync("recs", "top", "--model", garbage, "--out", Path.Combine(_dir, "t.csv"));
        var split = await RunAsync("recs", "evaluate", "--interactions", Clustered(), "--split", "random");
        var k = await RunAsync("recs", "evaluate", "--interactions", Clustered(), "--k", "0");

        Assert.Equal(2, top.Exit);
        Assert.Contains("train it again", top.Err, StringComparison.Ordinal);
        Assert.Equal(2, split.Exit);
        Assert.Contains("stratified:0.75, chronological:0.75 or time:2011-11-01", split.Err, StringComparison.Ordinal);
        Assert.Equal(2, k.Exit);
    }

    private static double[] Metrics(string report, string name)
    {
        var line = report.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return Number().Matches(line).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();
    }

    [GeneratedRegex(@"\d+\.\d+")]
    private static partial Regex Number();
}
