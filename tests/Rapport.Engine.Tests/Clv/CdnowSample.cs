using System.Globalization;
using Rapport.Engine.Clv;

namespace Rapport.Engine.Tests.Clv;

/// <summary>The CDNOW sample under the published protocol, loaded once for all golden tests.</summary>
internal static class CdnowSample
{
    public static readonly DateOnly CalibrationEnd = new(1997, 9, 30);
    public static readonly DateOnly HoldoutEnd = new(1998, 6, 30);
    public const double HoldoutWeeks = 39;

    private static readonly Lazy<Transaction[]> LazyTransactions = new(Load);
    private static readonly Lazy<CustomerSummary[]> LazySummaries =
        new(() => CustomerSummaries.Build(LazyTransactions.Value, CalibrationEnd, HoldoutEnd));
    private static readonly Lazy<RepeatPurchaseData> LazyData = new(() => RepeatPurchaseData.From(Summaries));
    private static readonly Lazy<ModelFit<BgNbdModel>> LazyBgNbd = new(() => BgNbdModel.Fit(Data));
    private static readonly Lazy<ModelFit<ParetoNbdModel>> LazyPareto = new(() => ParetoNbdFitter.Fit(Data));

    public static Transaction[] Transactions => LazyTransactions.Value;

    public static CustomerSummary[] Summaries => LazySummaries.Value;

    public static RepeatPurchaseData Data => LazyData.Value;

    public static ModelFit<BgNbdModel> BgNbd => LazyBgNbd.Value;

    public static ModelFit<ParetoNbdModel> ParetoNbd => LazyPareto.Value;

    private static Transaction[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Clv", "Data", "BTYD_cdnowElog.csv");
        return File.ReadLines(path)
            .Skip(1)
            .Select(line => line.Split(','))
            .Select(f => new Transaction(
                f[0],
                DateOnly.ParseExact(f[2], "yyyyMMdd", CultureInfo.InvariantCulture),
                decimal.Parse(f[4], CultureInfo.InvariantCulture)))
            .ToArray();
    }
}

/// <summary>Tolerance helpers that say which digits are being compared.</summary>
internal static class Digits
{
    /// <summary>Asserts |actual - expected| &lt;= tolerance with a message naming the quantity.</summary>
    public static void Close(double expected, double actual, double tolerance, string what)
    {
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expected} ± {tolerance}, got {actual}");
    }
}
