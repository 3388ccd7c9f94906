using System.Data.Common;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>Where a load is: a phase and how far through it.</summary>
public sealed record SegmentProgress(string Phase, long Done, long Total);

/// <summary>
/// Builds <see cref="CustomerSnapshot"/>s from the store for what a <see cref="SegmentSet"/> reads:
/// the live customers, the fields of each family (through its <see cref="ICustomerFactSource"/>)
/// and the events of the last <see cref="SegmentSet.MaxWindow"/> days that its selectors count.
/// Cost of a full load: one pass over customers, one query per field family, one scan of the
/// window's events of the counted types.
/// </summary>
public sealed class SnapshotLoader(IEnumerable<ICustomerFactSource> sources)
{
    private readonly Dictionary<string, ICustomerFactSource> _sources = sources.ToDictionary(s => s.Family, StringComparer.Ordinal);

    /// <summary>Snapshots of all live customers (<paramref name="customers"/> null) or of the given ones that are live.</summary>
    /// <param name="eventsConnection">
    /// A second connection to count the events on while the fields load on the first (the two
    /// fill different parts of each snapshot), the first joining the count when its fields are
    /// loaded: the full load on two cores. Only when the first connection's transaction has
    /// written nothing and holds the single writer, so both see the same store throughout.
    /// </param>
    /// <param name="fieldsReader">
    /// A bulk reader (<see cref="IDatabase.OpenBulkReaderAsync"/>) for the customers, the fields and
    /// the first connection's share of the event count, on the same terms as
    /// <paramref name="eventsConnection"/>; commands still go to <paramref name="connection"/>.
    /// </param>
    public async Task<Dictionary<long, CustomerSnapshot>> LoadAsync(
        DbConnection connection, DbTransaction? transaction, SqlDialect dialect, SegmentSet set, IReadOnlyList<long>? customers, int today,
        IProgress<SegmentProgress>? progress = null, CancellationToken ct = default, DbConnection? eventsConnection = null, DbConnection? fieldsReader = null)
    {
        // Cursors go to the bulk reader when there is one (it sees what the transaction sees: nothing written yet, the writer held).
        var (reads, readsTransaction) = fieldsReader is null ? (connection, transaction) : (fieldsReader, null);
        var snapshots = new Dictionary<long, CustomerSnapshot>(customers?.Count ?? 0);
        if (customers is not { Count: 0 })
        {
            var parameters = new List<(string, object?)>();
            var filter = "1 = 1";
            if (customers is not null)
            {
                parameters.Add(("customers", ValueList.Of(dialect, customers)));
                filter = $"id IN {ValueList.Sql(dialect, "@customers")}";
            }

            // Through the cursor: a full load reads every live customer (a million ids).
            using var r = dialect.OpenCursor(reads, readsTransaction, $"SELECT id FROM customers WHERE merged_into IS NULL AND {filter}", parameters);
            while (r.Read())
            {
                var id = r.GetInt64(0);
                snapshots[id] = set.NewSnapshot(id, sharedFields: customers is null); // a full load's snapshots live and die together
            }
        }

        ct.ThrowIfCancellationRequested();
        progress?.Report(new SegmentProgress("customers", snapshots.Count, snapshots.Count));

        var counting = EventCounting.Plan(set, snapshots, customers, today, dialect, progress);
        if (eventsConnection is null || counting is null)
        {
            await LoadFieldsAsync(connection, transaction, dialect, set, snapshots, customers, null, fresh: true, ct, fieldsReader);
            progress?.Report(new SegmentProgress("fields", snapshots.Count, snapshots.Count));
            counting?.CountAll(reads, readsTransaction, dialect, ct);
            return snapshots;
        }

        // The events, in id slices, on the second connection while the fields load on the first,
        // which then takes slices too: the two halves (about 10 and 16 s at a million customers)
        // shared out on two cores. The dictionary is complete before either starts: both only
        // look customers up in it.
        var slices = counting.Slice(eventsConnection, null, dialect, ct);
        var events = Task.Run(() => counting.CountSlices(slices, eventsConnection, null, dialect, ct), ct);
        try
        {
            await LoadFieldsAsync(connection, transaction, dialect, set, snapshots, customers, null, fresh: true, ct, fieldsReader);
            progress?.Report(new SegmentProgress("fields", snapshots.Count, snapshots.Count));
            counting.CountSlices(slices, reads, readsTransaction, dialect, ct);
        }
        finally
        {
            // Not left running against a connection the caller is about to close.
            await events.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await events;
        counting.Finish();
        return snapshots;
    }

    /// <summary>
    /// Re-reads the fields of the given <paramref name="families"/> (null = all) for
    /// <paramref name="customers"/> (null = all) into existing snapshots, clearing the old values first.
    /// </summary>
    public Task LoadFieldsAsync(
        DbConnection connection, DbTransaction? transaction, SqlDialect dialect, SegmentSet set, IReadOnlyDictionary<long, CustomerSnapshot> snapshots,
        IReadOnlyList<long>? customers, IReadOnlyCollection<string>? families, CancellationToken ct = default, DbConnection? reader = null) =>
        LoadFieldsAsync(connection, transaction, dialect, set, snapshots, customers, families, fresh: false, ct, reader);

    /// <param name="fresh">Snapshots just made, with no fields yet: nothing to clear.</param>
    private async Task LoadFieldsAsync(
        DbConnection connection, DbTransaction? transaction, SqlDialect dialect, SegmentSet set, IReadOnlyDictionary<long, CustomerSnapshot> snapshots,
        IReadOnlyList<long>? customers, IReadOnlyCollection<string>? families, bool fresh, CancellationToken ct, DbConnection? reader)
    {
        foreach (var family in set.Fields.GroupBy(f => f.Family))
        {
            if ((families is not null && !families.Contains(family.Key)) || !_sources.TryGetValue(family.Key, out var source))
            {
                continue;
            }

            if (!fresh)
            {
                foreach (var id in customers ?? (IEnumerable<long>)snapshots.Keys)
                {
                    if (snapshots.TryGetValue(id, out var s))
                    {
                        s.ClearFields(family.Key);
                    }
                }
            }

            var slots = new FieldSlots(family.Select(f => (f.Key, set.FieldSlotOf(f.Path))));
            var request = new FactRequest(connection, transaction, dialect, customers, slots.Keys) { Reader = reader };
            // Sources read by customer, several fields per customer: the last one's snapshot is
            // kept instead of looked up again in a million-entry dictionary for each field.
            var (lastId, last) = (0L, (CustomerSnapshot?)null);
            await source.LoadAsync(request, (customer, key, value) =>
            {
                if (last is null || lastId != customer)
                {
                    (lastId, last) = (customer, snapshots.GetValueOrDefault(customer));
                }

                if (last is not null && slots.SlotOf(key) is var slot and >= 0)
                {
                    last.SetField(slot, value);
                }
            }, ct);
        }
    }

    /// <summary>
    /// A family's field keys and their snapshot slots. Sources hand each value over with one of
    /// <see cref="Keys"/>' own string instances (see <see cref="FactRequest.Keys"/>), so the slot is
    /// found by comparing references among a handful of keys: hashing the key string for every
    /// value was about half the time of the value family's load (2.4 → 1.3 s for a million
    /// customers' seven fields). Any other instance of a key still finds its slot by value.
    /// </summary>
    private sealed class FieldSlots
    {
        private readonly string[] _keys;
        private readonly int[] _slots;
        private readonly Dictionary<string, int> _byValue;

        public FieldSlots(IEnumerable<(string Key, int Slot)> slots)
        {
            _byValue = slots.ToDictionary(s => s.Key, s => s.Slot, StringComparer.Ordinal);
            _keys = [.. _byValue.Keys];
            _slots = [.. _keys.Select(k => _byValue[k])];
        }

        public IReadOnlyCollection<string> Keys => _keys;

        public int SlotOf(string key)
        {
            for (var i = 0; i < _keys.Length; i++)
            {
                if (ReferenceEquals(_keys[i], key))
                {
                    return _slots[i];
                }
            }

            return _byValue.TryGetValue(key, out var slot) ? slot : -1;
        }
    }

    /// <summary>Each family's version token (see <see cref="ICustomerFactSource.VersionAsync"/>).</summary>
    public async Task<Dictionary<string, string?>> VersionsAsync(
        DbConnection connection, DbTransaction? transaction, SqlDialect dialect, IEnumerable<string> families, CancellationToken ct = default)
    {
        var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var family in families)
        {
            versions[family] = _sources.TryGetValue(family, out var source)
                ? await source.VersionAsync(new FactRequest(connection, transaction, dialect, null, []), ct)
                : null;
        }

        return versions;
    }
}
