using BenchmarkDotNet.Attributes;
using Rapport.Engine.Clv;

namespace Rapport.Benchmarks.Clv;

/// <summary>
/// BG/NBD + Gamma-Gamma maximum-likelihood fit from customer summaries, including the
/// compression to distinct (x, t_x, T). Targets: CDNOW master under 1 s, 1M customers under 10 s.
/// </summary>
[MemoryDiagnoser]
public class ClvFitBenchmark
{
    private Transaction[] _transactions = [];
    private CustomerSummary[] _customers = [];

    [Params("cdnow-master", "synthetic-1m")]
    public string Dataset { get; set; } = "cdnow-master";

    [GlobalSetup]
    public void Setup()
    {
        _transactions = Dataset == "cdnow-master" ? ClvDatasets.CdnowMaster() : ClvDatasets.Synthetic(1_000_000);
        _customers = CustomerSummaries.Build(_transactions, ClvDatasets.CalibrationEnd);
    }

    [Benchmark]
    public double FitBgNbdAndGammaGamma()
    {
        var purchases = BgNbdModel.Fit(RepeatPurchaseData.From(_customers));
        var spend = GammaGammaModel.Fit(_customers);
        return purchases.LogLikelihood + spend.LogLikelihood;
    }

    [Benchmark]
    public int BuildSummaries() => CustomerSummaries.Build(_transactions, ClvDatasets.CalibrationEnd).Length;
}
