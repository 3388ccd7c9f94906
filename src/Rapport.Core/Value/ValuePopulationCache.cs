using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>What value_population.summary holds (JSON): the scored population and its headline figures.</summary>
public sealed record ValuePopulationSummary(
    long Customers,
    long Buyers,
    int RfmBuckets,
    double Top,
    double? RevenueShareOfTop,
    double? MarginShareOfTop,
    IReadOnlyList<TierCount> Tiers,
    DistributionDto LastOrderAt,
    DistributionDto Orders,
    DistributionDto NetRevenue,
    DistributionDto Margin)
{
    /// <summary>What newcomers are scored against: this population, with the tiers it was recomputed with.</summary>
    public ScoringPopulation ToScoringPopulation() => new(
        new ValueDistributions(RfmBuckets, LastOrderAt.ToDistribution(), Orders.ToDistribution(), NetRevenue.ToDistribution(), Margin.ToDistribution()),
        new ValueTiers(Tiers.Select(t => new ValueTier(t.Name, t.TopShare)).ToList()));
}

/// <summary>The last recomputed population and its tiers, for scoring one customer at a time.</summary>
public sealed record ScoringPopulation(ValueDistributions Distributions, ValueTiers Tiers)
{
    public CustomerScores Score(CustomerValueFigures f) =>
        PopulationScoring.ScoreOne(Distributions, Tiers, f.LastOrderAt ?? 0, f.Orders, f.NetRevenueE4, f.MarginE4);
}

/// <summary>How many buyers a tier holds.</summary>
public sealed record TierCount(string Name, double TopShare, long Customers);

/// <summary>An <see cref="EmpiricalDistribution"/> as JSON.</summary>
public sealed record DistributionDto(long Count, long[] Sample)
{
    public static DistributionDto From(EmpiricalDistribution d) => new(d.Count, d.Sample);

    public EmpiricalDistribution ToDistribution() => new(Count, Sample);
}

/// <summary>
/// The population the last recomputation scored against, for scoring customers whose value
/// changes before the next one. Each use costs one primary-key lookup (is there a newer
/// recomputation, perhaps from another process?) and a reload only when there is.
/// </summary>
public sealed class ValuePopulationCache
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Entry _current = new(0, null);

    public async Task<ScoringPopulation?> GetAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct = default)
    {
        var latest = await connection.ExecuteScalarAsync<long?>(
            new CommandDefinition("SELECT MAX(id) FROM value_population", transaction: transaction, cancellationToken: ct));
        if (latest is not { } id)
        {
            return null;
        }

        var current = Volatile.Read(ref _current);
        if (current.Id == id)
        {
            return current.Population;
        }

        var json = await connection.ExecuteScalarAsync<string>(
            new CommandDefinition("SELECT summary FROM value_population WHERE id = @id", new { id }, transaction, cancellationToken: ct));
        var loaded = json is null ? null : Parse(json).ToScoringPopulation();
        Volatile.Write(ref _current, new Entry(id, loaded));
        return loaded;
    }

    /// <summary>
    /// As <see cref="GetAsync(DbConnection, DbTransaction?, CancellationToken)"/> inside a write
    /// transaction, the check through a compiled statement: every redemption scores its customer.
    /// </summary>
    public async Task<ScoringPopulation?> GetAsync(Rapport.Core.Storage.UnitOfWork unit, CancellationToken ct = default)
    {
        var latest = await unit.Statement("SELECT MAX(id) FROM value_population").ScalarAsync();
        if (latest is null)
        {
            return null;
        }

        var current = Volatile.Read(ref _current);
        return current.Id == Convert.ToInt64(latest, System.Globalization.CultureInfo.InvariantCulture)
            ? current.Population
            : await GetAsync(unit.Connection, unit.Transaction, ct);
    }

    /// <summary>Called after a recomputation commits, so the next write needs no reload.</summary>
    internal void Set(long id, ScoringPopulation population) => Volatile.Write(ref _current, new Entry(id, population));

    internal static ValuePopulationSummary Parse(string json) =>
        JsonSerializer.Deserialize<ValuePopulationSummary>(json, Json)
        ?? throw new InvalidDataException("value_population.summary is empty.");

    private sealed record Entry(long Id, ScoringPopulation? Population);
}
