using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Decisioning;

namespace Rapport.Core.Analytics;

/// <summary>One side (treated or held-out control) of a journey: its enrolments by status. Goal = converted.</summary>
public sealed record JourneySide(long Enrolled, long Active, long Completed, long Goal);

/// <summary>
/// A journey as the dashboard lists it: status, current version, the control share its current
/// definition asks for, both sides' counts and the goal-rate uplift of treated over control.
/// </summary>
public sealed record JourneySummary(
    long Id, string Name, string Status, long Version, double ControlShare, JourneySide Treated, JourneySide Control, Uplift Uplift)
{
    /// <summary>The share of enrolments actually held out (null before anyone enrolled).</summary>
    public double? HeldOut => Treated.Enrolled + Control.Enrolled == 0 ? null : (double)Control.Enrolled / (Treated.Enrolled + Control.Enrolled);
}

public sealed record JourneysReport(IReadOnlyList<JourneySummary> Journeys);

/// <summary>
/// Every journey with its enrolment counts, from one GROUP BY over journey_enrolments (a scan at
/// scale, so pages read it through <see cref="ReportCache"/>). Journeys/ owns the tables; this
/// only reads them.
/// </summary>
public sealed class JourneyReports(IDatabase database)
{
    /// <summary>The parser's default when a definition names no controlGroup.</summary>
    public const double DefaultControlShare = 0.1;

    public async Task<JourneysReport> ComputeAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var journeys = await c.QueryAsync<(long Id, string Name, string Status, long Version, string Definition)>(new CommandDefinition(
            """
            SELECT j.id, j.name, j.status, j.version, v.definition
            FROM journeys j JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version
            ORDER BY j.id
            """,
            cancellationToken: ct));
        var counts = await CountsAsync(c, ct);
        return new JourneysReport(journeys.Select(j =>
        {
            var treated = Side(counts, j.Id, control: false);
            var held = Side(counts, j.Id, control: true);
            return new JourneySummary(
                j.Id, j.Name, j.Status, j.Version, ControlShare(j.Definition), treated, held,
                Uplift.Compute(treated.Enrolled, treated.Goal, held.Enrolled, held.Goal));
        }).ToList());
    }

    /// <summary>Enrolments by (journey, control, status): the one scan both this report and the uplift source need.</summary>
    internal static async Task<ILookup<(long Journey, bool Control), (string Status, long N)>> CountsAsync(DbConnection c, CancellationToken ct) =>
        (await c.QueryAsync<(long Journey, long Control, string Status, long N)>(new CommandDefinition(
            "SELECT journey_id, control, status, COUNT(*) FROM journey_enrolments GROUP BY journey_id, control, status", cancellationToken: ct)))
        .ToLookup(r => (r.Journey, r.Control != 0), r => (r.Status, r.N));

    internal static JourneySide Side(ILookup<(long, bool), (string Status, long N)> counts, long journey, bool control)
    {
        var rows = counts[(journey, control)].ToList();
        long N(string status) => rows.Where(r => r.Status == status).Sum(r => r.N);
        return new JourneySide(rows.Sum(r => r.N), N("active"), N("completed"), N("converted"));
    }

    private static double ControlShare(string definition) =>
        JsonNode.Parse(definition) is JsonObject o && o["controlGroup"] is JsonValue v && v.TryGetValue<double>(out var share)
            ? share
            : DefaultControlShare;
}

/// <summary>
/// Journeys in the uplift report: enrolments on each side of the journey's hold-out, converted =
/// reached the goal (the enrolment status Journeys/ sets when a goal event arrives).
/// </summary>
public sealed class JourneyUpliftSource : IUpliftSource
{
    public string Subject => "journey";

    public async Task<IReadOnlyList<UpliftCounts>> CountAsync(DbConnection connection, CancellationToken ct)
    {
        var journeys = await connection.QueryAsync<(long Id, string Name)>(new CommandDefinition("SELECT id, name FROM journeys ORDER BY id", cancellationToken: ct));
        var counts = await JourneyReports.CountsAsync(connection, ct);
        return journeys.SelectMany(j => new[] { false, true }.Select(control =>
            {
                var side = JourneyReports.Side(counts, j.Id, control);
                return new UpliftCounts(j.Id, j.Name, "journey", control, side.Enrolled, side.Goal, 0, 0);
            }))
            .ToList();
    }
}
