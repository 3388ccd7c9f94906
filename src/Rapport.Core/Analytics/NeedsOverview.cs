using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Rapport.Core.Needs;
using Rapport.Core.Storage;

namespace Rapport.Core.Analytics;

/// <summary>A category across the base: customers with any affinity to it, their mean affinity, and customers whose top category it is.</summary>
public sealed record CategoryShare(string Category, long Customers, double MeanAffinity, long TopFor);

/// <summary>Customers whose price-sensitivity score falls in [From, To) (the last bin includes 1).</summary>
public sealed record SensitivityBin(double From, double To, long Customers);

/// <summary>A contact-or-shopping channel across the base: customers who used it, their mean share, and customers for whom it is the main channel.</summary>
public sealed record ChannelShare(string Channel, long Customers, double MeanShare, long MainFor);

/// <summary>How many customers said a thing (a "values most" answer or an interest).</summary>
public sealed record StatedCount(string Value, long Customers);

/// <summary>
/// Needs across the customer base (the population page): the current clusters with their sizes
/// and centroids, category affinity, price sensitivity and channel preference distributions, and
/// what customers said they value. Customers = rows of customer_needs (customers with history).
/// </summary>
public sealed record NeedsOverviewReport(
    NeedsClustersReply Clusters,
    long Customers,
    IReadOnlyList<CategoryShare> Categories,
    long OtherCategories,
    IReadOnlyList<SensitivityBin> PriceSensitivity,
    long PriceSensitivityUnknown,
    IReadOnlyList<ChannelShare> Channels,
    IReadOnlyList<StatedCount> ValuesMost,
    long ValuesMostUnstated,
    IReadOnlyList<StatedCount> Interests);

/// <summary>
/// Reads the needs tables with a few GROUP BY passes (read only; how needs are computed is
/// Needs/'s business). At a million customers each pass is a scan of one table, seconds in all,
/// so the pages read it through <see cref="ReportCache"/> (PopulationReports), never per view.
/// </summary>
public sealed class NeedsOverview(IDatabase database, NeedsQueries needs)
{
    public const int MaxCategories = 20;
    public const int MaxInterests = 20;
    public const int SensitivityBins = 10;

    public async Task<NeedsOverviewReport> ComputeAsync(CancellationToken ct = default)
    {
        var clusters = await needs.ClustersAsync(ct);
        await using var c = await database.OpenAsync(ct);
        var customers = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM customer_needs", cancellationToken: ct));

        var top = (await Q<(string Category, long N)>(c, "SELECT top_category, COUNT(*) FROM customer_needs WHERE top_category IS NOT NULL GROUP BY top_category", ct))
            .ToDictionary(x => x.Category, x => x.N, StringComparer.Ordinal);
        var categories = (await Q<(string Category, long N, double Sum)>(c, "SELECT category, COUNT(*), SUM(affinity) FROM customer_affinity GROUP BY category", ct))
            .Select(x => new CategoryShare(x.Category, x.N, x.N == 0 ? 0 : x.Sum / x.N, top.GetValueOrDefault(x.Category)))
            .OrderByDescending(x => x.TopFor).ThenByDescending(x => x.Customers).ThenBy(x => x.Category, StringComparer.Ordinal)
            .ToList();

        // Bins of 0.1 by CASE (portable: CAST rounds in PostgreSQL and truncates in SQLite).
        var bin = "CASE " + string.Join(" ", Enumerable.Range(1, SensitivityBins - 1).Select(i => string.Create(CultureInfo.InvariantCulture, $"WHEN price_sensitivity < {i / (double)SensitivityBins:0.0###} THEN {i - 1}"))) +
            string.Create(CultureInfo.InvariantCulture, $" ELSE {SensitivityBins - 1} END");
        var bins = (await Q<(long Bin, long N)>(c, $"SELECT {bin}, COUNT(*) FROM customer_needs WHERE price_sensitivity IS NOT NULL GROUP BY {bin}", ct))
            .ToDictionary(x => x.Bin, x => x.N);
        var sensitivity = Enumerable.Range(0, SensitivityBins)
            .Select(i => new SensitivityBin(i / (double)SensitivityBins, (i + 1) / (double)SensitivityBins, bins.GetValueOrDefault(i))).ToList();
        var unknown = customers - bins.Values.Sum();

        var channels = await ChannelsAsync(c, ct);

        var values = (await Q<(string Value, long N)>(c, "SELECT values_most, COUNT(*) FROM customer_needs WHERE values_most IS NOT NULL GROUP BY values_most", ct))
            .OrderByDescending(x => x.N).ThenBy(x => x.Value, StringComparer.Ordinal).Select(x => new StatedCount(x.Value, x.N)).ToList();

        return new NeedsOverviewReport(
            clusters, customers, categories.Take(MaxCategories).ToList(), Math.Max(0, categories.Count - MaxCategories), sensitivity, unknown,
            channels, values, customers - values.Sum(v => v.Customers), await InterestsAsync(c, ct));
    }

    /// <summary>Per channel: customers with any interaction or purchase there, their mean of the two shares, and customers whose largest share it is (ties: channel name order).</summary>
    private static async Task<List<ChannelShare>> ChannelsAsync(DbConnection c, CancellationToken ct)
    {
        const string Share = "(COALESCE(interaction_share, 0) + COALESCE(purchase_share, 0)) / (CASE WHEN interaction_share IS NULL OR purchase_share IS NULL THEN 1 ELSE 2 END)";
        var used = await Q<(string Channel, long N, double Sum)>(c, $"SELECT channel, COUNT(*), SUM({Share}) FROM customer_channels GROUP BY channel", ct);
        var main = (await Q<(string Channel, long N)>(
            c,
            $"""
            SELECT channel, COUNT(*) FROM (
              SELECT channel, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY {Share} DESC, channel) AS rn FROM customer_channels) ranked
            WHERE rn = 1 GROUP BY channel
            """,
            ct)).ToDictionary(x => x.Channel, x => x.N, StringComparer.Ordinal);
        return used.Select(x => new ChannelShare(x.Channel, x.N, x.N == 0 ? 0 : x.Sum / x.N, main.GetValueOrDefault(x.Channel)))
            .OrderByDescending(x => x.MainFor).ThenByDescending(x => x.Customers).ThenBy(x => x.Channel, StringComparer.Ordinal).ToList();
    }

    /// <summary>Interests are a JSON list per customer: streamed row by row and counted here (each customer counts once per interest).</summary>
    private static async Task<List<StatedCount>> InterestsAsync(DbConnection c, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition("SELECT interests FROM customer_needs WHERE interests IS NOT NULL", cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            foreach (var interest in (JsonSerializer.Deserialize<List<string>>(reader.GetString(0)) ?? []).Distinct(StringComparer.Ordinal))
            {
                counts[interest] = counts.GetValueOrDefault(interest) + 1;
            }
        }

        return counts.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).Take(MaxInterests).Select(x => new StatedCount(x.Key, x.Value)).ToList();
    }

    private static Task<IEnumerable<T>> Q<T>(DbConnection c, string sql, CancellationToken ct) => c.QueryAsync<T>(new CommandDefinition(sql, cancellationToken: ct));
}
