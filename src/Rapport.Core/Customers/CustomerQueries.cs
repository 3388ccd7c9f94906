using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Identity;

namespace Rapport.Core.Customers;

/// <summary>Reads for the profile screen and API: one customer, their timeline, lookup and search.</summary>
public sealed class CustomerQueries(IDatabase database)
{
    public const int MaxPageSize = 200;

    /// <summary>The profile of a customer; a merged-away id answers with the customer it became.</summary>
    public async Task<CustomerProfile?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(long Id, long CreatedAt, long? MergedInto)>(
            "SELECT id, created_at, merged_into FROM customers WHERE id = @id", new { id });
        if (row.Id == 0)
        {
            return null;
        }

        var ids = await c.QueryAsync<(string Kind, string Value, long First)>(
            "SELECT kind, value, first_seen_at FROM identifiers WHERE customer_id = @id ORDER BY kind, value", new { id });
        var traits = await c.QueryAsync<(string Name, string Value, string Source, long At)>(
            "SELECT name, value, source, at FROM traits WHERE customer_id = @id ORDER BY name", new { id });
        var orders = await c.QuerySingleAsync<(long Sales, long Returns, long Revenue, long? First, long? Last)>(
            """
            SELECT COALESCE(SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN kind = 'return' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(total_e4), 0), MIN(placed_at), MAX(placed_at)
            FROM orders WHERE customer_id = @id
            """,
            new { id });
        var channels = await c.QueryAsync<(string Channel, long N)>(
            "SELECT channel, COUNT(*) FROM events WHERE customer_id = @id GROUP BY channel", new { id });
        var value = await ValueQueries.ReadValueAsync(c, null, id, ct);
        var prediction = await ValueQueries.ReadPredictionAsync(c, null, id, ct);
        var needs = await Needs.NeedsQueries.ReadAsync(c, id, ct);
        return new CustomerProfile(
            row.Id,
            UnixTime.FromStorage(row.CreatedAt),
            row.MergedInto,
            ids.Select(i => new IdentifierView(i.Kind, i.Value, UnixTime.FromStorage(i.First))).ToList(),
            traits.ToDictionary(t => t.Name, t => new TraitView(t.Name, t.Value, t.Source, UnixTime.FromStorage(t.At))),
            new OrderSummary((int)orders.Sales, (int)orders.Returns, Money.FromStorage(orders.Revenue),
                UnixTime.FromStorage(orders.First), UnixTime.FromStorage(orders.Last)),
            channels.ToDictionary(x => x.Channel, x => (int)x.N),
            value?.ToView(),
            prediction,
            needs.UpdatedAt is null ? null : needs);
    }

    public async Task<IReadOnlyList<TraitView>> TraitHistoryAsync(long id, string name, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Name, string Value, string Source, long At)>(
            "SELECT name, value, source, at FROM trait_history WHERE customer_id = @id AND name = @name ORDER BY at DESC, id DESC",
            new { id, name });
        return rows.Select(t => new TraitView(t.Name, t.Value, t.Source, UnixTime.FromStorage(t.At))).ToList();
    }

    /// <summary>
    /// Newest first. The cursor is "occurred_at:id" of the last item, so pages stay stable
    /// while new events arrive (keyset paging, no OFFSET scans).
    /// </summary>
    public async Task<TimelinePage> TimelineAsync(
        long id, int limit, string? cursor, string? channel, string? type, string? name, CancellationToken ct = default)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var (beforeAt, beforeId) = ParseCursor(cursor);
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(long Id, string MessageId, string Type, string? Name, string Channel, long At, string Properties)>(
            """
            SELECT id, message_id, type, name, channel, occurred_at, properties FROM events
            WHERE customer_id = @id
              AND (@channel IS NULL OR channel = @channel)
              AND (@type IS NULL OR type = @type)
              AND (@name IS NULL OR name = @name)
              AND (occurred_at < @beforeAt OR (occurred_at = @beforeAt AND id < @beforeId))
            ORDER BY occurred_at DESC, id DESC
            LIMIT @take
            """,
            new { id, channel, type, name, beforeAt, beforeId, take = limit + 1 })).ToList();
        var items = rows.Take(limit)
            .Select(r => new TimelineEntry(r.Id, r.MessageId, r.Type, r.Name, r.Channel, UnixTime.FromStorage(r.At), JsonNode.Parse(r.Properties)))
            .ToList();
        var next = rows.Count > limit ? $"{items[^1].OccurredAt.ToUnixTimeMilliseconds()}:{items[^1].Id}" : null;
        return new TimelinePage(items, next);
    }

    public static bool IsValidCursor(string? cursor) => cursor is null || TryParseCursor(cursor, out _);

    public async Task<long?> LookupAsync(string kind, string value, CancellationToken ct = default)
    {
        var id = Identifier.Normalize(kind, value);
        await using var c = await database.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<long?>(
            "SELECT customer_id FROM identifiers WHERE kind = @Kind AND value = @Value", new { id.Kind, id.Value });
    }

    /// <summary>
    /// Customers whose name, first or last name or email (trait or email identifier) starts with
    /// <paramref name="query"/>, or has a word that does (<see cref="CustomerSearch"/>), case-insensitive,
    /// by customer id after <paramref name="afterId"/> (keyset paging). An index range: fast at any size.
    /// A prefix matching more than <see cref="CommonPrefix"/> index entries ("customer", one letter)
    /// walks the customers in id order instead and stops at the page's last match, so it never
    /// collects and sorts every match (a million at a million customers).
    /// <paramref name="anywhere"/> matches the text anywhere instead, which reads every name and
    /// email (seconds at a million customers): only when asked for.
    /// </summary>
    public async Task<IReadOnlyList<CustomerHit>> SearchAsync(string query, int limit, CancellationToken ct = default, long afterId = 0, bool anywhere = false)
    {
        var prefix = CustomerSearch.Normalize(query);
        if (prefix.Length == 0)
        {
            return [];
        }

        var (from, to) = CustomerSearch.Range(prefix);
        var parameters = new { pattern = "%" + prefix.Replace("%", "", StringComparison.Ordinal) + "%", from, to, afterId, limit = Math.Clamp(limit, 1, MaxPageSize), common = CommonPrefix };
        await using var c = await database.OpenAsync(ct);
        var common = !anywhere && await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM customer_search WHERE term >= @from AND term < @to LIMIT @common) s)
                 + (SELECT COUNT(*) FROM (SELECT 1 FROM identifiers WHERE kind = 'email' AND value >= @from AND value < @to LIMIT @common) i)
            """,
            parameters,
            cancellationToken: ct)) >= CommonPrefix;
        var matches = anywhere
            ? """
              SELECT customer_id FROM traits WHERE name IN ('name', 'firstName', 'lastName', 'email') AND LOWER(value) LIKE @pattern
              UNION
              SELECT customer_id FROM identifiers WHERE kind = 'email' AND value LIKE @pattern
              """
            : common
            ? """
              SELECT id AS customer_id FROM customers c
              WHERE c.id > @afterId
                AND (EXISTS (SELECT 1 FROM customer_search s WHERE s.customer_id = c.id AND s.term >= @from AND s.term < @to)
                     OR EXISTS (SELECT 1 FROM identifiers i WHERE i.customer_id = c.id AND i.kind = 'email' AND i.value >= @from AND i.value < @to))
              ORDER BY c.id
              LIMIT @limit
              """
            : """
              SELECT customer_id FROM customer_search WHERE term >= @from AND term < @to
              UNION
              SELECT customer_id FROM identifiers WHERE kind = 'email' AND value >= @from AND value < @to
              """;
        // kind || '' keeps SQLite (no statistics) off the (kind, value) key for the email, which it
        // otherwise walks over every email per hit (1 s a page at 1M customers) instead of the customer's index.
        var rows = await c.QueryAsync<CustomerHit>(new CommandDefinition(
            $"""
            SELECT m.customer_id AS Id,
                   (SELECT value FROM traits t WHERE t.customer_id = m.customer_id AND t.name = 'name') AS Name,
                   (SELECT value FROM identifiers i WHERE i.customer_id = m.customer_id AND i.kind || '' = 'email' ORDER BY value LIMIT 1) AS Email
            FROM ({matches}) m
            WHERE m.customer_id > @afterId
            ORDER BY m.customer_id
            LIMIT @limit
            """,
            parameters,
            cancellationToken: ct));
        return rows.ToList();
    }

    /// <summary>Index entries from which a search prefix counts as common (see <see cref="SearchAsync"/>); matches are then at least 1 customer in 500 of a million, so the walk stops after a few thousand.</summary>
    internal int CommonPrefix { get; init; } = 2_000;

    /// <summary>Customers having <paramref name="value"/> as an identifier of any kind (each kind's normalisation applied).</summary>
    public async Task<IReadOnlyList<long>> FindByAnyIdentifierAsync(string value, CancellationToken ct = default)
    {
        var found = new SortedSet<long>();
        foreach (var kind in Identifier.Kinds)
        {
            if (await LookupAsync(kind, value, ct) is { } id)
            {
                found.Add(id);
            }
        }

        return found.ToList();
    }

    private static (long At, long Id) ParseCursor(string? cursor) =>
        cursor is not null && TryParseCursor(cursor, out var parsed) ? parsed : (long.MaxValue, long.MaxValue);

    private static bool TryParseCursor(string cursor, out (long At, long Id) parsed)
    {
        parsed = default;
        var parts = cursor.Split(':');
        return parts.Length == 2 && long.TryParse(parts[0], out parsed.At) && long.TryParse(parts[1], out parsed.Id);
    }
}
