using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Rapport.Core.Events;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>What a load, recompute or sweep did.</summary>
public sealed record MembershipResult(int Customers, int Evaluated, int Entered, int Left);

/// <summary>
/// Live membership: an in-memory snapshot of every live customer (the fields and event counters
/// the active segments read, and their current memberships), kept current inside the write
/// transactions, so evaluating after an event never queries the store per event.
/// <list type="bullet">
/// <item>Loaded in full on first use (and after segments change): every customer is evaluated and
/// the differences with segment_members are written, so memberships are right after downtime.</item>
/// <item>After each ingest batch (<see cref="SegmentProjection"/>): the batch's events bump the
/// counters, traits and facts are re-read for the customers whose events can change them (one
/// query per family per batch), and those customers are re-evaluated.</item>
/// <item>Customers whose events moved (identity merges and undos) are reloaded from the store.</item>
/// <item><see cref="SweepAsync"/> re-evaluates customers whose counted events leave a window
/// (day granularity: the due list is keyed by UTC day) and picks up customers created by imports.</item>
/// </list>
/// All state changes happen under <see cref="StoreWriter"/>'s single writer; on rollback the
/// customers touched are dropped from memory and reloaded when next needed.
/// </summary>
public sealed partial class SegmentRuntime(SnapshotLoader loader, SegmentFields fields)
{
    /// <summary>Events that change value facts (customer_value is updated from orders).</summary>
    private static readonly HashSet<string> OrderEvents = new(StringComparer.Ordinal)
    {
        EcommerceEvents.OrderCompleted, EcommerceEvents.OrderRefunded, EcommerceEvents.OrderCancelled, EcommerceEvents.OrderUpdated,
    };

    private static readonly string[] TraitsFamily = [SegmentFields.Traits.Name];

    private readonly ConditionalWeakTable<UnitOfWork, Pending> _pending = new();
    private readonly SortedDictionary<int, HashSet<long>> _due = [];
    private bool _loaded;
    private SegmentSet _set = SegmentSet.Empty;
    private List<SegmentInfo> _segments = [];
    private string[] _factFamilies = [];
    private Dictionary<string, string?> _factVersions = [];
    private Dictionary<long, CustomerSnapshot> _customers = [];
    private long _maxCustomerId;

    /// <summary>Whether the in-memory state is loaded (for tests and status).</summary>
    public bool IsLoaded => _loaded;

    public int CustomerCount => _customers.Count;

    /// <summary>Segments changed (created, deleted): the next write reloads everything.</summary>
    public void Invalidate() => _loaded = false;

    /// <summary>
    /// Facts another feature changed outside the event pipeline (a value recomputation, needs
    /// refreshed): re-read them for these customers before this unit commits.
    /// </summary>
    public void FactsChanged(UnitOfWork unit, IEnumerable<long> customers) => PendingFor(unit).Facts.UnionWith(customers);

    /// <summary>
    /// One family's facts changed for everybody (a needs refit moves and relabels clusters):
    /// before this unit commits, that family alone is re-read for every customer in memory, and
    /// nothing at all when no segment reads it. (Re-reading every family cost a 200k-customer
    /// recomputation seconds of value and prediction reads that had not changed.)
    /// </summary>
    public void FamilyChangedForEveryone(UnitOfWork unit, string family) => PendingFor(unit).EveryoneFamilies.Add(family);

    internal Pending PendingFor(UnitOfWork unit) => _pending.GetValue(unit, _ => new Pending());

    /// <summary>Applies what the unit's projections collected; runs just before the unit commits.</summary>
    internal async Task ProcessAsync(UnitOfWork unit, CancellationToken ct)
    {
        if (!_pending.TryGetValue(unit, out var p))
        {
            return;
        }

        _pending.Remove(unit);
        if (!_loaded)
        {
            await LoadAllAsync(unit, null, ct);
            return;
        }

        if (_segments.Count == 0)
        {
            return;
        }

        var today = Today(unit);
        await SettleDueInMemoryAsync(unit, today, ct);
        var fresh = new HashSet<long>(p.Rebuild);
        var affected = new HashSet<long>();
        var traits = new HashSet<long>();
        var facts = new HashSet<long>(p.Facts);
        var readsTraits = _set.Fields.Any(f => f.Family == SegmentFields.Traits.Name);
        foreach (var stored in p.Events)
        {
            var id = stored.CustomerId;
            if (fresh.Contains(id) || !_customers.TryGetValue(id, out var s))
            {
                // New to memory: loading it from the store reads this batch's events too.
                fresh.Add(id);
                continue;
            }

            var e = stored.Event;
            if (_set.Apply(s, new BehaviourEvent(e.Type, e.Name, e.Channel, UnixTime.ToStorage(e.OccurredAt), e.Payload), today))
            {
                affected.Add(id);
            }

            if (readsTraits && e.Traits is not null)
            {
                traits.Add(id);
            }

            if (_factFamilies.Length > 0 && e.Type == "track" && e.Name is not null && OrderEvents.Contains(e.Name))
            {
                facts.Add(id);
            }
        }

        unit.OnRollback(() => Forget(affected, fresh, traits, facts));
        var everyone = _factFamilies.Where(p.EveryoneFamilies.Contains).ToArray();
        if (everyone.Length > 0)
        {
            unit.OnRollback(() => _loaded = false); // the whole population was touched: reload it all next time
        }

        await RefreshFieldsAsync(unit, traits.Except(fresh).ToList(), TraitsFamily, ct);
        if (everyone.Length > 0)
        {
            await RefreshFieldsAsync(unit, null, everyone, ct);
            var versions = await loader.VersionsAsync(unit.Connection, unit.Transaction, unit.Dialect, everyone, ct);
            _factVersions = new Dictionary<string, string?>(_factVersions);
            foreach (var family in everyone)
            {
                _factVersions[family] = versions[family];
            }

            affected.UnionWith(_customers.Keys);
        }

        await RefreshFieldsAsync(unit, facts.Except(fresh).ToList(), _factFamilies.Except(everyone).ToArray(), ct);

        affected.UnionWith(traits);
        affected.UnionWith(facts);
        affected.UnionWith(await LoadCustomersAsync(unit, fresh, today, ct));
        await EvaluateAndWriteAsync(unit, affected, today, "event", ct);
    }

    /// <summary>
    /// Full recomputation: reloads segments and every customer from the store, evaluates
    /// everything and writes the differences with the stored memberships.
    /// </summary>
    /// <param name="readers">
    /// Where to open bulk readers (<see cref="IDatabase.OpenBulkReaderAsync"/>) for the bulk reads,
    /// two so events are counted while fields load; only for a <paramref name="unit"/> that has
    /// written nothing yet (they must see what the unit sees).
    /// </param>
    public Task<MembershipResult> RecomputeAsync(
        UnitOfWork unit, IProgress<SegmentProgress>? progress = null, CancellationToken ct = default, IDatabase? readers = null)
    {
        _loaded = false;
        return LoadAllAsync(unit, progress, ct, readers);
    }

    private async Task<MembershipResult> LoadAllAsync(UnitOfWork unit, IProgress<SegmentProgress>? progress, CancellationToken ct, IDatabase? readers = null)
    {
        unit.OnRollback(() => _loaded = false);
        var today = Today(unit);
        var (segments, definitions) = await LoadSegmentsAsync(unit);
        _set = SegmentSet.Compile(definitions, fields);
        _segments = segments;
        _factFamilies = _set.Fields.Select(f => f.Family).Where(f => f != SegmentFields.Traits.Name).Distinct().ToArray();
        _due.Clear();
        _factVersions = await loader.VersionsAsync(unit.Connection, unit.Transaction, unit.Dialect, _factFamilies, ct);
        // Bulk readers (no per-call mutex on SQLite) for the customers, fields and memberships, and
        // a second one only when there are events to count. Nothing that they read has been
        // written in this transaction, which holds the writer: they see what it would.
        await using var bulk = readers is null || segments.Count == 0 ? null : await readers.OpenBulkReaderAsync(ct);
        if (segments.Count == 0)
        {
            _customers = [];
        }
        else
        {
            await using var events = readers is null || _set.Selectors.Count == 0 ? null : await readers.OpenBulkReaderAsync(ct);
            _customers = await loader.LoadAsync(unit.Connection, unit.Transaction, unit.Dialect, _set, null, today, progress, ct, events, bulk);
        }

        _maxCustomerId = await unit.Connection.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM customers", transaction: unit.Transaction) ?? 0;

        var stale = LoadMemberships(unit, null, bulk);
        await MembershipWriter.ForgetAsync(unit, stale);
        var total = _customers.Count;
        progress?.Report(new SegmentProgress("evaluating", 0, total));
        var (entered, left) = await EvaluateAndWriteAsync(unit, _customers.Keys, today, "recompute", ct, progress);
        await unit.Connection.ExecuteAsync(
            "UPDATE segments SET status = 'active', computed_at = @now WHERE status IN ('building', 'active')", new { now = unit.Now }, unit.Transaction);
        _loaded = true;
        return new MembershipResult(total, total, entered, left);
    }

    private async Task<(List<SegmentInfo>, List<SegmentDefinition>)> LoadSegmentsAsync(UnitOfWork unit)
    {
        var rows = await unit.Connection.QueryAsync<(long Id, string Name, string Definition)>(
            "SELECT id, name, definition FROM segments WHERE status IN ('building', 'active') ORDER BY id", transaction: unit.Transaction);
        var segments = new List<SegmentInfo>();
        var definitions = new List<SegmentDefinition>();
        foreach (var (id, name, json) in rows)
        {
            if (SegmentDefinition.FromJson(json, fields).Definition is { } definition)
            {
                segments.Add(new SegmentInfo(id, name));
                definitions.Add(definition);
            }
            else
            {
                // Stored definitions were valid when saved; one that no longer is (a field family
                // was removed) is set aside, visible as status 'invalid', instead of failing every write.
                await unit.Connection.ExecuteAsync("UPDATE segments SET status = 'invalid' WHERE id = @id", new { id }, unit.Transaction);
            }
        }

        return (segments, definitions);
    }

    /// <summary>Sets the membership bits from segment_members; returns customers with rows that are not live.</summary>
    /// <param name="reader">A bulk reader to read on instead of the unit's connection (a full load only: nothing written yet).</param>
    private List<long> LoadMemberships(UnitOfWork unit, IReadOnlyCollection<long>? customers, DbConnection? reader = null)
    {
        var index = _segments.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var stale = new HashSet<long>();
        var parameters = new List<(string, object?)>();
        var filter = "1 = 1";
        if (customers is not null)
        {
            parameters.Add(("customers", ValueList.Of(unit.Dialect, customers)));
            filter = $"customer_id IN {ValueList.Sql(unit.Dialect, "@customers")}";
        }

        // Through the cursor: a full load reads every membership (millions of rows at a million
        // customers), which cost two seconds through Dapper's reader.
        var (connection, transaction) = reader is null ? (unit.Connection, unit.Transaction) : (reader, null);
        using var rows = unit.Dialect.OpenCursor(connection, transaction, $"SELECT segment_id, customer_id FROM segment_members WHERE {filter}", parameters);
        while (rows.Read())
        {
            var (segment, customer) = (rows.GetInt64(0), rows.GetInt64(1));
            if (!_customers.TryGetValue(customer, out var s))
            {
                stale.Add(customer);
            }
            else if (index.TryGetValue(segment, out var i))
            {
                s.SetMember(i, true);
            }
        }

        return stale.ToList();
    }

    /// <summary>(Re)loads customers from the store; customers that are no longer live leave memory and their memberships go.</summary>
    private async Task<IReadOnlyCollection<long>> LoadCustomersAsync(UnitOfWork unit, HashSet<long> ids, int today, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var list = ids.ToList();
        var loaded = await loader.LoadAsync(unit.Connection, unit.Transaction, unit.Dialect, _set, list, today, null, ct);
        foreach (var id in list)
        {
            _customers.Remove(id);
        }

        foreach (var (id, s) in loaded)
        {
            _customers[id] = s;
            _maxCustomerId = Math.Max(_maxCustomerId, id);
        }

        var stale = LoadMemberships(unit, list);
        await MembershipWriter.ForgetAsync(unit, stale);
        return loaded.Keys;
    }

    private async Task RefreshFieldsAsync(UnitOfWork unit, IReadOnlyList<long>? customers, IReadOnlyCollection<string> families, CancellationToken ct)
    {
        if (families.Count == 0 || customers is { Count: 0 } || !_set.Fields.Any(f => families.Contains(f.Family)))
        {
            return;
        }

        await loader.LoadFieldsAsync(unit.Connection, unit.Transaction, unit.Dialect, _set, _customers, customers?.Where(_customers.ContainsKey).ToList(), families, ct);
    }

    private async Task<(int Entered, int Left)> EvaluateAndWriteAsync(
        UnitOfWork unit, IEnumerable<long> customers, int today, string reason, CancellationToken ct, IProgress<SegmentProgress>? progress = null)
    {
        var changes = customers is ICollection<long> many && many.Count >= EvaluateInParallelFrom
            ? EvaluateInParallel(many, today)
            : EvaluateOneByOne(customers, today, progress);

        progress?.Report(new SegmentProgress("writing", 0, changes.Count));
        var result = await MembershipWriter.WriteAsync(unit, changes, _segments, reason, ct);
        progress?.Report(new SegmentProgress("writing", changes.Count, changes.Count));
        return result;
    }

    /// <summary>After a rollback: what memory says about these customers may include uncommitted work.</summary>
    private void Forget(params IEnumerable<long>[] groups)
    {
        foreach (var id in groups.SelectMany(g => g))
        {
            _customers.Remove(id);
        }
    }

    private static int Today(UnitOfWork unit) => SegmentSet.DayOf(unit.Now);

    /// <summary>What one unit's projections handed over, applied before it commits.</summary>
    internal sealed class Pending
    {
        public List<StoredEvent> Events { get; } = [];

        public HashSet<long> Rebuild { get; } = [];

        public HashSet<long> Facts { get; } = [];

        /// <summary>Fact families changed for every customer (<see cref="FamilyChangedForEveryone"/>).</summary>
        public HashSet<string> EveryoneFamilies { get; } = new(StringComparer.Ordinal);
    }
}
