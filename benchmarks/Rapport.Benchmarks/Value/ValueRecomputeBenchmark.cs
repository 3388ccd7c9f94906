using BenchmarkDotNet.Attributes;
using Rapport.Engine.Value;

namespace Rapport.Benchmarks.Value;

/// <summary>
/// The in-memory part of the value recomputation: RFM quintiles, revenue and margin
/// percentiles, tiers, distributions and Pareto curves for every customer, from arrays.
/// 1M customers with about 10M orders between them. The store round trip is measured by
/// `value-scenario` (see Program.cs).
/// </summary>
[MemoryDiagnoser]
public class ValueRecomputeBenchmark
{
    private ValuePopulation _population = null!;

    [Params(1_000_000)]
    public int Customers { get; set; }

    [GlobalSetup]
    public void Setup() => _population = ValuePopulation.Generate(Customers);

    [Benchmark]
    public int ScorePopulation() =>
        PopulationScoring.Score(_population.Orders, _population.LastOrderAt, _population.NetRevenue, _population.Margin, new ValueScoringOptions()).Buyers;
}
