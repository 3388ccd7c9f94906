using System.Globalization;
using System.Text.Json;
using Rapport.Cli;

namespace Rapport.Tests.Cli;

/// <summary>`rapport clv` run in-process through the real command tree, on the CDNOW sample.</summary>
public sealed class ClvCommandTests : IDisposable
{
    private static readonly string Cdnow = Path.Combine(AppContext.BaseDirectory, "Cli", "Data", "BTYD_cdnowElog.csv");
    private static readonly string[] CdnowColumns =
        ["--customer-column", "masterid", "--date-column", "date", "--amount-column", "sales"];

    private readonly string _dir = Directory.CreateTempSubdirectory("rapport-clv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] FitCdnow(params string[] extra) =>
        ["clv", "fit", "--transactions", Cdnow, .. CdnowColumns, "--calibration-end", "1997-09-30", .. extra];

    private string WriteFile(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task Fit_CdnowWithHoldout_PrintsPublishedParametersAndHoldoutTable()
    {
        var (exit, output, error) = await RunAsync(FitCdnow("--holdout-end", "1998-06-30"));

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains("BG/NBD on 2357 customers (946 with repeat purchases)", output);
        Assert.Contains("r = 0.242595  alpha = 4.4136  a = 0.792921  b = 2.42591", output);
        Assert.Contains("log-likelihood = -9582.43", output);
        Assert.Contains("p = 6.24957  q = 3.74422  gamma = 15.4435", output);
        Assert.Contains("repeat purchases actual 1882, predicted 1653.4", output);
        Assert.Matches(@"\n  0 +1411 +0\.2367 +0\.2251\r?\n", output);
        Assert.Matches(@"\n  7\+ +64 +6\.3594 +6\.1572\r?\n", output);
    }

    [Fact]
    public async Task Fit_Json_IsParseableWithParametersAndBuckets()
    {
        var (exit, output, _) = await RunAsync(FitCdnow("--holdout-end", "1998-06-30", "--json", "--model", "pareto-nbd"));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("Pareto/NBD", root.GetProperty("model").GetString());
        Assert.Equal(0.553, root.GetProperty("parameters").GetProperty("r").GetDouble(), 3);
        Assert.Equal(0.606, root.GetProperty("parameters").GetProperty("s").GetDouble(), 3);
        Assert.Equal(-9594.98, root.GetProperty("logLikelihood").GetDouble(), 2);
        Assert.Equal(6.25, root.GetProperty("spend").GetProperty("parameters").GetProperty("p").GetDouble(), 2);
        var holdout = root.GetProperty("holdout");
        Assert.Equal(1882, holdout.GetProperty("actualTotal").GetDouble());
        Assert.Equal(8, holdout.GetProperty("byFrequency").GetArrayLength());
        Assert.Equal("7+", holdout.GetProperty("byFrequency")[7].GetProperty("frequency").GetString());
    }

    [Fact]
    public async Task Fit_WhitespaceSeparatedFile_GivesSameFitAsCsv()
    {
        // CDNOW_master.txt layout: a header, then columns separated by runs of spaces.
        var rows = File.ReadLines(Cdnow).Skip(1).Select(l => l.Split(','))
            .Select(f => $" {f[0],5} {f[2]}  {f[3]}   {f[4]}");
        string path = WriteFile("master.txt", [" customer_id  date number_of_cds  dollar_value", .. rows]);

        var (exit, output, error) = await RunAsync(
            "clv", "fit", "--transactions", path, "--delimiter", "whitespace", "--customer-column", "customer_id",
            "--date-column", "date", "--amount-column", "dollar_value", "--calibration-end", "1997-09-30");

        Assert.True(exit == 0, error);
        Assert.Contains("r = 0.242595  alpha = 4.4136  a = 0.792921  b = 2.42591", output);
    }

    [Fact]
    public async Task Fit_MissingColumn_Exit2ListingColumnsFound()
    {
        var (exit, output, error) = await RunAsync(
            "clv", "fit", "--transactions", Cdnow, "--customer-column", "customer", "--date-column", "date",
            "--amount-column", "sales", "--calibration-end", "1997-09-30");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("Column 'customer' is not in", error);
        Assert.Contains("the header has: masterid, sampleid, date, cds, sales", error);
        Assert.Contains("--customer-column", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Fit_UnparseableDate_Exit2NamingLineAndValue()
    {
        string path = WriteFile("bad-date.csv", "id,day,amount", "a,2024-01-02,10", "a,2024-13-45,12");

        var (exit, _, error) = await RunAsync(
            "clv", "fit", "--transactions", path, "--customer-column", "id", "--date-column", "day",
            "--amount-column", "amount", "--calibration-end", "2024-06-30");

        Assert.Equal(2, exit);
        Assert.Contains("Line 3", error);
        Assert.Contains("'2024-13-45'", error);
        Assert.Contains("--date-format", error);
    }

    [Fact]
    public async Task Fit_DateFormatOption_ParsesDayFirstDates()
    {
        string path = WriteFile("eu.csv", "id;day;amount", "a;02/01/2024;10", "a;05/01/2024;12");

        var (exit, _, error) = await RunAsync(
            "clv", "fit", "--transactions", path, "--delimiter", ";", "--customer-column", "id", "--date-column", "day",
            "--amount-column", "amount", "--date-format", "dd/MM/yyyy", "--calibration-end", "2024-06-30");

        // The dates parse; the fit then refuses because one customer is not enough.
        Assert.Equal(2, exit);
        Assert.Contains("Only 1 of 1 customers bought again", error);
    }

    [Fact]
    public async Task Fit_TooFewRepeatBuyers_Exit2SayingHowToFix()
    {
        string path = WriteFile(
            "few.csv", "id,day,amount", "a,2024-01-02,10", "a,2024-02-02,12", "b,2024-01-05,8", "c,2024-01-09,30");

        var (exit, _, error) = await RunAsync(
            "clv", "fit", "--transactions", path, "--customer-column", "id", "--date-column", "day",
            "--amount-column", "amount", "--calibration-end", "2024-06-30");

        Assert.Equal(2, exit);
        Assert.Contains("Only 1 of 3 customers bought again in the calibration period", error);
        Assert.Contains("Move the calibration end later or add customers", error);
    }

    [Theory]
    [InlineData("--calibration-end", "30/09/1997", "write it as yyyy-MM-dd")]
    [InlineData("--holdout-end", "1997-01-01", "must be after --calibration-end")]
    [InlineData("--delimiter", "x", "--delimiter 'x' is not supported")]
    public async Task Fit_BadOptionValue_Exit2WithOneLineMessage(string option, string value, string message)
    {
        var args = FitCdnow().ToList();
        int i = args.IndexOf(option);
        if (i >= 0)
        {
            args[i + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (exit, _, error) = await RunAsync([.. args]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Fit_MissingRequiredOption_Exit2()
    {
        var (exit, _, error) = await RunAsync("clv", "fit", "--transactions", Cdnow);

        Assert.Equal(2, exit);
        Assert.Contains("--calibration-end", error);
    }

    [Fact]
    public async Task Score_Cdnow_WritesOneRowPerCustomer()
    {
        string outPath = Path.Combine(_dir, "clv.csv");

        var (exit, output, error) = await RunAsync(
        [
            "clv", "score", "--transactions", Cdnow, .. CdnowColumns, "--calibration-end", "1997-09-30",
            "--horizon-weeks", "52", "--discount-rate", "0.1", "--margin", "0.3", "--out", outPath,
        ]);

        Assert.True(exit == 0, error);
        Assert.Contains("Wrote 2357 customers", output);
        var lines = File.ReadAllLines(outPath);
        Assert.Equal("customer,expected_purchases,p_alive,expected_spend,clv", lines[0]);
        Assert.Equal(2358, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.All(rows, r => Assert.InRange(double.Parse(r[2], CultureInfo.InvariantCulture), 0.0, 1.0));
        Assert.All(rows, r => Assert.True(double.Parse(r[4], CultureInfo.InvariantCulture) >= 0));
        var first = rows.Single(r => r[0] == "4"); // x = 2 repeat days in calibration, last on 1997-08-02
        Assert.True(double.Parse(first[1], CultureInfo.InvariantCulture) is > 0.3 and < 2);
    }

    [Theory]
    [InlineData("--margin", "30", "--margin 30 is outside (0, 1]")]
    [InlineData("--discount-rate", "10", "--discount-rate 10 is outside 0-1")]
    [InlineData("--horizon-weeks", "0", "--horizon-weeks 0 must be at least 1")]
    public async Task Score_ValueOutOfRange_Exit2(string option, string value, string message)
    {
        var args = new List<string>
        {
            "clv", "score", "--transactions", Cdnow, "--calibration-end", "1997-09-30", "--horizon-weeks", "52",
            "--discount-rate", "0.1", "--margin", "0.3", "--out", Path.Combine(_dir, "x.csv"),
        };
        args.AddRange(CdnowColumns);
        args[args.IndexOf(option) + 1] = value;

        var (exit, _, error) = await RunAsync([.. args]);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
        Assert.False(File.Exists(Path.Combine(_dir, "x.csv")));
    }
}
