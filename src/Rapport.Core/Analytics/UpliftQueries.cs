using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Decisioning;

namespace Rapport.Core.Analytics;

/// <summary>
/// Decisions of one subject (an action, a journey) on one side of its hold-out: how many, how
/// many converted (accepted or converted), accepted and ignored.
/// </summary>
public sealed record UpliftCounts(long Id, string Name, string Kind, bool Control, long Decisions, long Converted, long Accepted, long Ignored);

/// <summary>
/// Where uplift rows come from. Actions are one source (the decision log's control column);
/// journeys plug in as another by registering their own source (their enrolments with a control
/// flag, or decisions tagged with the journey): the report, API and page take every source registered.
/// </summary>
public interface IUpliftSource
{
    /// <summary>"action", "journey": the subject column of the report.</summary>
    string Subject { get; }

    /// <summary>One row per subject and side; subjects with no decisions yet may be returned with zero counts.</summary>
    Task<IReadOnlyList<UpliftCounts>> CountAsync(DbConnection connection, CancellationToken ct);
}

/// <summary>Every action in the catalogue, from the decision log grouped by (action, control).</summary>
public sealed class ActionUpliftSource : IUpliftSource
{
    public string Subject => "action";

    public async Task<IReadOnlyList<UpliftCounts>> CountAsync(DbConnection connection, CancellationToken ct)
    {
        var actions = await connection.QueryAsync<(long Id, string Name, string Kind)>(new CommandDefinition(
            "SELECT id, name, kind FROM actions ORDER BY id", cancellationToken: ct));
        var counts = (await connection.QueryAsync<(long Action, long Control, long N, long Converted, long Accepted, long Ignored)>(new CommandDefinition(
            """
            SELECT action_id, control, COUNT(*),
                   COALESCE(SUM(CASE WHEN outcome IN ('accepted', 'converted') THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN outcome = 'accepted' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN outcome = 'ignored' THEN 1 ELSE 0 END), 0)
            FROM decisions GROUP BY action_id, control
            """,
            cancellationToken: ct))).ToLookup(r => (r.Action, r.Control != 0));
        return actions.SelectMany(a => new[] { false, true }.Select(control =>
                counts[(a.Id, control)].FirstOrDefault() is { N: > 0 } r
                    ? new UpliftCounts(a.Id, a.Name, a.Kind, control, r.N, r.Converted, r.Accepted, r.Ignored)
                    : new UpliftCounts(a.Id, a.Name, a.Kind, control, 0, 0, 0, 0)))
            .ToList();
    }
}

/// <summary>The uplift of every subject against its control group (Engine/Decisioning Uplift) and acceptance by kind.</summary>
public sealed class UpliftQueries(IDatabase database, IEnumerable<IUpliftSource> sources)
{
    public async Task<UpliftReport> ComputeAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = new List<UpliftRow>();
        var acceptance = new List<UpliftCounts>();
        foreach (var source in sources)
        {
            var counts = await source.CountAsync(c, ct);
            foreach (var g in counts.GroupBy(x => x.Id))
            {
                var treated = g.FirstOrDefault(x => !x.Control) ?? new UpliftCounts(g.Key, g.First().Name, g.First().Kind, false, 0, 0, 0, 0);
                var control = g.FirstOrDefault(x => x.Control) ?? treated with { Control = true, Decisions = 0, Converted = 0, Accepted = 0, Ignored = 0 };
                rows.Add(new UpliftRow(
                    source.Subject, g.Key, treated.Name, treated.Kind,
                    Uplift.Compute(treated.Decisions, treated.Converted, control.Decisions, control.Converted),
                    treated.Accepted, treated.Ignored, Rate(treated.Accepted, treated.Accepted + treated.Ignored)));
                if (source.Subject == "action")
                {
                    acceptance.Add(treated);
                }
            }
        }

        var byKind = acceptance.GroupBy(a => a.Kind).Select(k =>
        {
            long shown = k.Sum(x => x.Decisions), accepted = k.Sum(x => x.Accepted), ignored = k.Sum(x => x.Ignored);
            return new AcceptanceRow(k.Key, shown, accepted, ignored, shown - accepted - ignored - k.Sum(x => x.Converted - x.Accepted), Rate(accepted, accepted + ignored));
        }).OrderBy(a => ActionKinds.All.ToList().IndexOf(a.Kind)).ToList();
        return new UpliftReport(rows, byKind);
    }

    private static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
