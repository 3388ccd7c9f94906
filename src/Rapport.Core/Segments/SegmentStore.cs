using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>A saved segment: its definition in both forms, status and current size.</summary>
public sealed record SegmentView(
    long Id, string Name, string Text, JsonNode Definition, string Status, long Members,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ComputedAt);

public sealed record SegmentMember(long CustomerId, DateTimeOffset EnteredAt);

public sealed record SegmentMemberPage(IReadOnlyList<SegmentMember> Items, string? NextCursor);

public sealed record CustomerSegment(long SegmentId, string Name, DateTimeOffset EnteredAt);

/// <summary>Reads of segments and memberships, straight from the store with keyset paging.</summary>
public sealed class SegmentStore(IDatabase database)
{
    public const int MaxPageSize = 1000;

    private const string SelectSegment = """
        SELECT s.id AS Id, s.name AS Name, s.text AS Text, s.definition AS Definition, s.status AS Status,
               (SELECT COUNT(*) FROM segment_members m WHERE m.segment_id = s.id) AS Members,
               s.created_at AS CreatedAt, s.updated_at AS UpdatedAt, s.computed_at AS ComputedAt
        FROM segments s
        """;

    public async Task<IReadOnlyList<SegmentView>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<SegmentRow>(new CommandDefinition($"{SelectSegment} ORDER BY s.id", cancellationToken: ct));
        return rows.Select(ToView).ToList();
    }

    public async Task<SegmentView?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SegmentRow>(new CommandDefinition($"{SelectSegment} WHERE s.id = @id", new { id }, cancellationToken: ct));
        return row is null ? null : ToView(row);
    }

    public async Task<long> CountAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM segment_members WHERE segment_id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Members by customer id; the cursor is the last id of the previous page.</summary>
    public async Task<SegmentMemberPage> MembersAsync(long id, int limit, string? cursor, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var after = cursor is null ? 0 : long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(long Customer, long At)>(new CommandDefinition(
            """
            SELECT customer_id, entered_at FROM segment_members
            WHERE segment_id = @id AND customer_id > @after ORDER BY customer_id LIMIT @take
            """,
            new { id, after, take = limit + 1 },
            cancellationToken: ct))).ToList();
        var items = rows.Take(limit).Select(r => new SegmentMember(r.Customer, UnixTime.FromStorage(r.At))).ToList();
        return new SegmentMemberPage(items, rows.Count > limit ? items[^1].CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    public static bool IsValidCursor(string? cursor) =>
        cursor is null || (long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0);

    public async Task<IReadOnlyList<CustomerSegment>> ForCustomerAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, string Name, long At)>(new CommandDefinition(
            """
            SELECT s.id, s.name, m.entered_at FROM segment_members m JOIN segments s ON s.id = m.segment_id
            WHERE m.customer_id = @customerId ORDER BY s.id
            """,
            new { customerId },
            cancellationToken: ct));
        return rows.Select(r => new CustomerSegment(r.Id, r.Name, UnixTime.FromStorage(r.At))).ToList();
    }

    internal static async Task<long?> FindByNameAsync(UnitOfWork unit, string name) =>
        await unit.Connection.QuerySingleOrDefaultAsync<long?>("SELECT id FROM segments WHERE name = @name", new { name }, unit.Transaction);

    internal static Task<long> InsertAsync(UnitOfWork unit, string name, SegmentDefinition definition) =>
        unit.Connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO segments (name, definition, text, status, created_at, updated_at)
            VALUES (@name, @json, @text, 'building', @now, @now) RETURNING id
            """,
            new { name, json = definition.ToJsonString(), text = definition.Text, now = unit.Now },
            unit.Transaction);

    internal static async Task<bool> DeleteAsync(UnitOfWork unit, long id)
    {
        unit.EveryCustomerChanged = true; // every member's cached segments (next best action) are read again
        await unit.Connection.ExecuteAsync("DELETE FROM segment_members WHERE segment_id = @id", new { id }, unit.Transaction);
        return await unit.Connection.ExecuteAsync("DELETE FROM segments WHERE id = @id", new { id }, unit.Transaction) > 0;
    }

    private static SegmentView ToView(SegmentRow r) => new(
        r.Id, r.Name, r.Text, JsonNode.Parse(r.Definition)!, r.Status, r.Members,
        UnixTime.FromStorage(r.CreatedAt), UnixTime.FromStorage(r.UpdatedAt), UnixTime.FromStorage(r.ComputedAt));

    /// <summary>Settable properties, not a constructor: SQLite reports no column type for COUNT(*) on an empty result.</summary>
    private sealed class SegmentRow
    {
        public long Id { get; set; }

        public string Name { get; set; } = "";

        public string Text { get; set; } = "";

        public string Definition { get; set; } = "";

        public string Status { get; set; } = "";

        public long Members { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public long? ComputedAt { get; set; }
    }
}
