using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Consent;

/// <summary>
/// Reads and appends ledger rows. Rows are tied to an identifier (as events are) and read
/// through the identifiers table, so a merge or an undone merge moves them with no rewrite.
/// Cost: one indexed query per customer read (identifiers by customer, then rows by identifier).
/// </summary>
public static class ConsentLedger
{
    private const string ForCustomer = """
        FROM consent_ledger l JOIN identifiers i ON i.kind = l.id_kind AND i.value = l.id_value
        WHERE i.customer_id = @customer
        """;

    public static async Task AppendAsync(UnitOfWork unit, Identifier id, ConsentUpdate update, string messageId, DateTimeOffset at)
    {
        var now = unit.Now;
        foreach (var e in update.Entries)
        {
            await unit.Statement(
                """
                INSERT INTO consent_ledger (id_kind, id_value, item, value, source, message_id, at, recorded_at)
                VALUES (@kind, @value, @item, @v, @source, @messageId, @at, @now)
                """,
                "@kind", "@value", "@item", "@v", "@source", "@messageId", "@at", "@now")
                .ExecuteAsync(id.Kind, id.Value, e.Item, e.Value, update.Source, messageId, UnixTime.ToStorage(at), now);
        }
    }

    /// <summary>Every row of the customer in ledger order (time, then the order they were written).</summary>
    public static async Task<List<LedgerEntry>> ReadAsync(DbConnection c, DbTransaction? tx, long customer)
    {
        var rows = await c.QueryAsync<(string Item, string Value, string Source, string MessageId, long At)>(
            $"SELECT l.item, l.value, l.source, l.message_id, l.at {ForCustomer} ORDER BY l.at, l.id", new { customer }, tx);
        return rows.Select(r => new LedgerEntry(r.Item, r.Value, r.Source, r.MessageId, UnixTime.FromStorage(r.At))).ToList();
    }

    /// <summary>The newest rows first, paged by ledger id.</summary>
    public static async Task<List<(long Id, LedgerEntry Entry)>> HistoryAsync(DbConnection c, long customer, int limit, long? before)
    {
        var rows = await c.QueryAsync<(long Id, string Item, string Value, string Source, string MessageId, long At)>(
            $"SELECT l.id, l.item, l.value, l.source, l.message_id, l.at {ForCustomer} {(before is null ? "" : "AND l.id < @before")} ORDER BY l.id DESC LIMIT @limit",
            new { customer, before, limit });
        return rows.Select(r => (r.Id, new LedgerEntry(r.Item, r.Value, r.Source, r.MessageId, UnixTime.FromStorage(r.At)))).ToList();
    }

    /// <summary>The customer an id stands for now (following merges), or null if there is none.</summary>
    public static async Task<long?> CurrentCustomerAsync(DbConnection c, DbTransaction? tx, long id)
    {
        for (var hops = 0; hops < 32; hops++)
        {
            var row = await c.QuerySingleOrDefaultAsync<(long Id, long? MergedInto)>(
                "SELECT id, merged_into FROM customers WHERE id = @id", new { id }, tx);
            if (row.Id == 0)
            {
                return null;
            }

            if (row.MergedInto is not { } next)
            {
                return id;
            }

            id = next;
        }

        return null;
    }

    /// <summary>The customer's strongest identifier: what their consent rows and events are tied to.</summary>
    public static async Task<Identifier?> StrongestIdentifierAsync(DbConnection c, DbTransaction? tx, SqlDialect dialect, long customer) =>
        (await Identity.StrongestIdentifiers.ForAsync(c, tx, dialect, [customer])).TryGetValue(customer, out var id) ? id : null;
}
