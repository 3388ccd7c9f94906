using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>
/// Writes customer rows. A row with one identifier is the bulk path (get or create its
/// customer); a row with several goes through <see cref="IdentityResolver.ResolveAsync"/>,
/// which links them and merges customers exactly as an event carrying them would. Traits are
/// written only when the value differs from the stored one (current value in traits, every
/// change in trait_history with source "import"), so a re-run writes nothing.
/// </summary>
internal sealed class CustomerImporter(CustomerRowParser parser, IdentityResolver resolver, ImportOptions options, string fileName)
    : RowImporter<CustomerRow>
{
    private static readonly string[] HistoryColumns = ["customer_id", "name", "value", "source", "message_id", "at"];

    public override Parsed<CustomerRow> Parse(CsvRecord record) => parser.Parse(record);

    public override async Task WriteBatchAsync(UnitOfWork unit, IReadOnlyList<CustomerRow> rows, ImportTally tally, CancellationToken cancellationToken)
    {
        var now = unit.Now;
        var customerOf = new long[rows.Count];
        var changed = new bool[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var owners = new List<long?>(row.Identifiers.Count);
            foreach (var id in row.Identifiers)
            {
                owners.Add(await resolver.FindOwnerAsync(unit, id));
            }

            if (owners.All(o => o is null))
            {
                tally.CustomersCreated++;
            }

            changed[i] = owners.Any(o => o is null) || owners.Distinct().Count() > 1;
            if (row.Identifiers.Count == 1)
            {
                var id = row.Identifiers[0];
                customerOf[i] = owners[0] ?? (await resolver.EnsureAsync(unit, id.Kind, [id.Value], now))[id.Value];
            }
            else
            {
                customerOf[i] = await resolver.ResolveAsync(unit, row.Identifiers, now, MessageId(row));
            }
        }

        // A later row may have merged an earlier row's customer away: ask the owners again (cached).
        for (var i = 0; i < rows.Count; i++)
        {
            customerOf[i] = await resolver.FindOwnerAsync(unit, rows[i].Identifiers[0]) ?? customerOf[i];
        }

        var current = new Dictionary<(long Customer, string Name), string>();
        foreach (var chunk in customerOf.Distinct().Chunk(5000))
        {
            var stored = await unit.Connection.QueryAsync<(long, string, string)>(
                "SELECT customer_id, name, value FROM traits WHERE customer_id IN @chunk", new { chunk }, unit.Transaction);
            foreach (var (customer, name, value) in stored)
            {
                current[(customer, name)] = value;
            }
        }

        var writes = new List<TraitWrite>();
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var (name, value) in rows[i].Traits)
            {
                var key = (customerOf[i], name);
                if (current.TryGetValue(key, out var old) && old == value)
                {
                    continue;
                }

                current[key] = value;
                writes.Add(new TraitWrite(customerOf[i], name, value, options.Source, MessageId(rows[i]), now));
                changed[i] = true;
            }

            if (changed[i])
            {
                tally.Imported++;
            }
            else
            {
                tally.Unchanged++;
            }
        }

        if (writes.Count == 0)
        {
            return;
        }

        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO traits (customer_id, name, value, source, at) VALUES (@Customer, @Name, @Value, @Source, @At)
            ON CONFLICT (customer_id, name) DO UPDATE SET value = excluded.value, source = excluded.source, at = excluded.at
            """,
            writes,
            unit.Transaction);
        await unit.Dialect.BulkInsertAsync(
            unit.Connection,
            unit.Transaction,
            "trait_history",
            HistoryColumns,
            writes.Select(w => new object?[] { w.Customer, w.Name, w.Value, w.Source, w.MessageId, w.At }),
            cancellationToken);
    }

    /// <summary>Stable per file and row, so identity links and trait history point back at their source.</summary>
    private string MessageId(CustomerRow row) => $"{options.Source}:{fileName}:{row.SourceLine}";

    private sealed record TraitWrite(long Customer, string Name, string Value, string Source, string MessageId, long At);
}
