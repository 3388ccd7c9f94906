using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

public sealed record MergeRecord(
    long Id, long SurvivorId, long AbsorbedId, DateTimeOffset At, string? MessageId, string Reason,
    IReadOnlyList<string> Identifiers, DateTimeOffset? UndoneAt);

public enum UndoOutcome
{
    Undone,
    NotFound,
    AlreadyUndone,
}

/// <summary>
/// The merge audit trail and its undo. Undoing disables the identity links that joined the
/// absorbed identifiers to the rest (so later events cannot silently re-merge them), gives the
/// absorbed customer its identifiers back and replays the component; events follow their
/// identifiers, so none is lost.
/// </summary>
public sealed class Merges(IDatabase database, StoreWriter writer, IdentityResolver identity)
{
    public async Task<IReadOnlyList<MergeRecord>> ForCustomerAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<MergeRow>(
            """
            SELECT id AS Id, survivor_id AS SurvivorId, absorbed_id AS AbsorbedId, at AS At, message_id AS MessageId,
                   reason AS Reason, identifiers AS Identifiers, undone_at AS UndoneAt
            FROM merges WHERE survivor_id = @customerId OR absorbed_id = @customerId ORDER BY id
            """,
            new { customerId });
        return rows.Select(ToRecord).ToList();
    }

    public Task<UndoOutcome> UndoAsync(long mergeId, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var row = await unit.Connection.QuerySingleOrDefaultAsync<MergeRow>(
                """
                SELECT id AS Id, survivor_id AS SurvivorId, absorbed_id AS AbsorbedId, at AS At, message_id AS MessageId,
                       reason AS Reason, identifiers AS Identifiers, undone_at AS UndoneAt
                FROM merges WHERE id = @mergeId
                """,
                new { mergeId },
                unit.Transaction);
            if (row is null)
            {
                return UndoOutcome.NotFound;
            }

            if (row.UndoneAt is not null)
            {
                return UndoOutcome.AlreadyUndone;
            }

            var moved = ToRecord(row).Identifiers.Select(Parse).ToHashSet();
            await DisableLinksAsync(unit, moved);
            foreach (var id in moved)
            {
                await unit.Connection.ExecuteAsync(
                    "UPDATE identifiers SET customer_id = @AbsorbedId WHERE kind = @Kind AND value = @Value",
                    new { row.AbsorbedId, id.Kind, id.Value },
                    unit.Transaction);
            }

            await unit.Connection.ExecuteAsync("UPDATE customers SET merged_into = NULL WHERE id = @AbsorbedId", new { row.AbsorbedId }, unit.Transaction);
            await unit.Connection.ExecuteAsync("UPDATE merges SET undone_at = @now WHERE id = @mergeId", new { now = unit.Now, mergeId }, unit.Transaction);
            identity.ClearCache();
            unit.OnRollback(identity.ClearCache);
            await identity.ReplayComponentAsync(unit, moved.ToList(), [row.SurvivorId, row.AbsorbedId]);
            unit.CustomersToRebuild.Add(row.SurvivorId);
            unit.CustomersToRebuild.Add(row.AbsorbedId);
            return UndoOutcome.Undone;
        }, ct);

    private static async Task DisableLinksAsync(UnitOfWork unit, HashSet<Identifier> moved)
    {
        foreach (var id in moved)
        {
            var links = await unit.Connection.QueryAsync<(long Id, string AKind, string AValue, string BKind, string BValue)>(
                """
                SELECT id, a_kind, a_value, b_kind, b_value FROM identity_links
                WHERE disabled_at IS NULL AND ((a_kind = @Kind AND a_value = @Value) OR (b_kind = @Kind AND b_value = @Value))
                """,
                new { id.Kind, id.Value },
                unit.Transaction);
            foreach (var l in links)
            {
                var other = new Identifier(l.AKind, l.AValue) == id ? new Identifier(l.BKind, l.BValue) : new Identifier(l.AKind, l.AValue);
                if (!moved.Contains(other))
                {
                    await unit.Connection.ExecuteAsync(
                        "UPDATE identity_links SET disabled_at = @now WHERE id = @Id", new { now = unit.Now, l.Id }, unit.Transaction);
                }
            }
        }
    }

    private static Identifier Parse(string s)
    {
        var i = s.IndexOf(':', StringComparison.Ordinal);
        return new Identifier(s[..i], s[(i + 1)..]);
    }

    private static MergeRecord ToRecord(MergeRow r) => new(
        r.Id, r.SurvivorId, r.AbsorbedId, UnixTime.FromStorage(r.At), r.MessageId, r.Reason,
        JsonSerializer.Deserialize<List<string>>(r.Identifiers) ?? [], UnixTime.FromStorage(r.UndoneAt));

    private sealed record MergeRow(
        long Id, long SurvivorId, long AbsorbedId, long At, string? MessageId, string Reason, string Identifiers, long? UndoneAt);
}
