using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Import;

/// <summary>
/// Writes customer rows as identify events through the event writer, so an imported customer
/// is linked, merged and given traits exactly as a tracked one would be, and a later merge or
/// undo rebuilds those traits from the stored events instead of losing them. A row whose
/// identifiers already belong to one customer with every trait already at that value writes
/// nothing (re-runs change nothing); otherwise its event is
/// <c>import:FILE:LINE:RUN</c>, the run being the import's start time.
/// </summary>
internal sealed class CustomerImporter(CustomerRowParser parser, EventWriter events, string channel, string fileName)
    : RowImporter<CustomerRow>
{
    private long _run;

    public override Parsed<CustomerRow> Parse(CsvRecord record) => parser.Parse(record);

    public override async Task WriteBatchAsync(UnitOfWork unit, IReadOnlyList<CustomerRow> rows, ImportTally tally, CancellationToken cancellationToken)
    {
        var now = unit.Clock.GetUtcNow();
        if (_run == 0)
        {
            _run = UnixTime.ToStorage(now);
        }

        // One query per identifier kind instead of one per identifier: a re-run of a large
        // file is mostly lookups. The resolver's cache is not needed for reads: the store is the truth.
        var known = new Dictionary<Identifier, long>();
        foreach (var group in rows.SelectMany(r => r.Identifiers).Distinct().GroupBy(id => id.Kind))
        {
            foreach (var (value, customer) in await KeyQuery.QueryAsync<(string, long), string>(
                         unit, "SELECT value, customer_id FROM identifiers WHERE kind = @kind AND value IN {keys}",
                         group.Select(id => id.Value), new { kind = group.Key }))
            {
                known[new Identifier(group.Key, value)] = customer;
            }
        }

        var owners = rows.Select(r => r.Identifiers.Select(id => known.TryGetValue(id, out var c) ? c : (long?)null).ToArray()).ToArray();
        var stored = new Dictionary<(long Customer, string Name), string>();
        foreach (var (customer, name, value) in await KeyQuery.QueryAsync<(long, string, string), long>(
                     unit, "SELECT customer_id, name, value FROM traits WHERE customer_id IN {keys}", known.Values.Distinct()))
        {
            stored[(customer, name)] = value;
        }

        var identify = new List<IncomingEvent>();
        var newInBatch = new HashSet<Identifier>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var owner = owners[i][0];
            var oneKnownCustomer = owner is { } o && owners[i].All(x => x == o);
            if (oneKnownCustomer && row.Traits.All(t => stored.TryGetValue((owner!.Value, t.Key), out var v) && v == t.Value))
            {
                tally.Unchanged++;
                continue;
            }

            if (owners[i].All(x => x is null) && !row.Identifiers.Any(newInBatch.Contains))
            {
                tally.CustomersCreated++;
            }

            newInBatch.UnionWith(row.Identifiers);
            tally.Imported++;
            var traits = new JsonObject();
            foreach (var (name, value) in row.Traits)
            {
                traits[name] = value;
            }

            var context = new JsonObject { ["import"] = new JsonObject { ["file"] = fileName, ["line"] = row.SourceLine } };
            identify.Add(new IncomingEvent(
                $"import:{fileName}:{row.SourceLine}:{_run}", "identify", null, channel, row.UserId, null, now, traits, traits, context));
        }

        await events.WriteAsync(unit, identify);
    }
}
