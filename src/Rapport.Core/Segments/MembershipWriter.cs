using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>A stored segment as the in-memory runtime knows it: its id and name at a set index.</summary>
public sealed record SegmentInfo(long Id, string Name);

/// <summary>
/// Writes membership changes in the caller's transaction: the segment_members rows, and one
/// event per change on the customer's timeline (track "Segment Entered" / "Segment Left",
/// properties segment_id, segment_name, reason). Message ids are derived from the membership
/// (segment, customer, entered_at), so writing the same change twice stores one event.
/// Cost: a few statements per batch of changes (key lists as one parameter), bulk appends for the rows.
/// </summary>
internal static class MembershipWriter
{
    public const string Entered = "Segment Entered";
    public const string Left = "Segment Left";

    /// <summary>
    /// Membership events are Rapport's own; they carry the web channel because every event needs
    /// one of the six channels, and context.library says who made them.
    /// </summary>
    public const string Channel = Channels.Web;

    private const string Library = "rapport-segments";

    /// <returns>(entered, left) counts.</returns>
    public static async Task<(int Entered, int Left)> WriteAsync(
        UnitOfWork unit, IReadOnlyList<MembershipChange> changes, IReadOnlyList<SegmentInfo> segments, string reason, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return (0, 0);
        }

        unit.CustomersChanged.UnionWith(changes.Select(c => c.CustomerId)); // cached memberships (next best action) are read again
        var now = unit.Now;
        var events = new List<(MembershipChange Change, long EnteredAt)>(changes.Count);
        foreach (var group in changes.Where(c => !c.Entered).GroupBy(c => c.SegmentIndex))
        {
            var p = new DynamicParameters(new { segmentId = segments[group.Key].Id });
            p.Add("customers", ValueList.Of(unit.Dialect, group.Select(c => c.CustomerId).ToList()));
            var filter = $"segment_id = @segmentId AND customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}";
            var enteredAt = (await unit.Connection.QueryAsync<(long Customer, long At)>(
                    $"SELECT customer_id, entered_at FROM segment_members WHERE {filter}", p, unit.Transaction))
                .ToDictionary(r => r.Customer, r => r.At);
            await unit.Connection.ExecuteAsync($"DELETE FROM segment_members WHERE {filter}", p, unit.Transaction);
            events.AddRange(group.Select(c => (c, enteredAt.GetValueOrDefault(c.CustomerId))));
        }

        var entered = changes.Where(c => c.Entered).ToList();
        await unit.Dialect.BulkInsertAsync(
            unit.Connection, unit.Transaction, "segment_members", ["segment_id", "customer_id", "entered_at"],
            entered.Select(c => new object?[] { segments[c.SegmentIndex].Id, c.CustomerId, now }), ct);
        events.AddRange(entered.Select(c => (c, now)));

        await AppendEventsAsync(unit, events, segments, reason, now, ct);
        return (entered.Count, changes.Count - entered.Count);
    }

    /// <summary>Deletes memberships of customers that no longer exist as such (absorbed by a merge), without events.</summary>
    public static async Task ForgetAsync(UnitOfWork unit, IReadOnlyCollection<long> customers)
    {
        if (customers.Count > 0)
        {
            unit.CustomersChanged.UnionWith(customers);
            await unit.Connection.ExecuteAsync(
                $"DELETE FROM segment_members WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}",
                new { customers = ValueList.Of(unit.Dialect, customers) },
                unit.Transaction);
        }
    }

    private static Task AppendEventsAsync(
        UnitOfWork unit, List<(MembershipChange Change, long EnteredAt)> changes, IReadOnlyList<SegmentInfo> segments, string reason, long now, CancellationToken ct) =>
        OwnEvents.AppendAsync(unit, changes.Select(c =>
        {
            var segment = segments[c.Change.SegmentIndex];
            var messageId = $"segment:{segment.Id}:{c.Change.CustomerId}:{c.EnteredAt}:{(c.Change.Entered ? "entered" : "left")}";
            var properties = new JsonObject { ["segment_id"] = segment.Id, ["segment_name"] = segment.Name, ["reason"] = reason };
            return new OwnFact(messageId, c.Change.CustomerId, c.Change.Entered ? Entered : Left, properties, Library, Channel, now);
        }).ToList(), ct);
}
