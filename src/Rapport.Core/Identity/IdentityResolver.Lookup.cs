using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>Bulk owner lookups (imports, batch preloading) and the owner cache.</summary>
public sealed partial class IdentityResolver
{
    /// <summary>Bulk path for imports: the customer of each value of one kind, creating the missing ones.</summary>
    public async Task<IReadOnlyDictionary<string, long>> EnsureAsync(UnitOfWork unit, string kind, IEnumerable<string> values, long at)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var raw in values)
        {
            var id = Identifier.Normalize(kind, raw);
            if (result.ContainsKey(raw))
            {
                continue;
            }

            var owner = await FindOwnerAsync(unit, id);
            if (owner is null)
            {
                owner = await CreateCustomerAsync(unit, at);
                await AssignAsync(unit, id, owner.Value, at);
            }

            result[raw] = owner.Value;
        }

        return result;
    }

    public async Task<long?> FindOwnerAsync(UnitOfWork unit, Identifier id)
    {
        if (_owners.TryGetValue(id, out var cached))
        {
            return cached;
        }

        if (ReferenceEquals(_absentIn, unit) && _absent.Contains(id))
        {
            return null;
        }

        var found = await unit.Statement("SELECT customer_id FROM identifiers WHERE kind = @kind AND value = @value", "@kind", "@value")
            .ScalarAsync(id.Kind, id.Value);
        var owner = found is null ? (long?)null : Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture);
        if (owner is { } o)
        {
            _owners[id] = o;
        }

        return owner;
    }

    /// <summary>
    /// Reads the owners of a batch's identifiers in one query per kind, so resolving its events
    /// needs no per-event lookup: found owners go to the cache, the rest are known to be new
    /// for the rest of this transaction.
    /// </summary>
    public async Task PreloadAsync(UnitOfWork unit, IEnumerable<Identifier> identifiers)
    {
        if (!ReferenceEquals(_absentIn, unit))
        {
            _absent.Clear();
            _absentIn = unit;
        }

        var unknown = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var id in identifiers)
        {
            if (!_owners.ContainsKey(id) && !_absent.Contains(id))
            {
                if (!unknown.TryGetValue(id.Kind, out var values))
                {
                    unknown[id.Kind] = values = new HashSet<string>(StringComparer.Ordinal);
                }

                values.Add(id.Value);
            }
        }

        foreach (var (kind, missing) in unknown)
        {
            var rows = await unit.Statement(
                    $"SELECT value, customer_id FROM identifiers WHERE kind = @kind AND value IN {ValueList.Sql(unit.Dialect, "@values")}", "@kind", "@values")
                .QueryAsync(kind, ValueList.Of(unit.Dialect, missing));
            foreach (var row in rows)
            {
                var value = (string)row[0]!;
                _owners[new Identifier(kind, value)] = Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture);
                missing.Remove(value);
            }

            foreach (var value in missing)
            {
                _absent.Add(new Identifier(kind, value));
            }
        }
    }

    /// <summary>How often the writer looks whether another process erased customers (<see cref="ForgetIfErasedElsewhereAsync"/>).</summary>
    public static readonly TimeSpan ErasureCheck = TimeSpan.FromSeconds(5);

    private long _erasedSeen = -1;
    private long? _erasedCheckedAt;

    /// <summary>
    /// Clears the cache when the count of erased customers moved since the last look (at most
    /// every <see cref="ErasureCheck"/>, one tiny query). Why: `rapport erasure execute` in another
    /// process scrubs the identifiers in the store, but this cache would still send an event with
    /// the erased email to the erased customer until a restart. An erasure in this process
    /// clears the cache itself; this catches the others within seconds. (The erasure table is
    /// read here rather than Erasure telling Identity, because the other process cannot.)
    /// </summary>
    public async Task ForgetIfErasedElsewhereAsync(UnitOfWork unit)
    {
        var now = unit.Now;
        if (now - _erasedCheckedAt < (long)ErasureCheck.TotalMilliseconds)
        {
            return;
        }

        _erasedCheckedAt = now;
        var count = Convert.ToInt64(await unit.Statement("SELECT COUNT(*) FROM erased_customers").ScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        if (_erasedSeen >= 0 && count != _erasedSeen)
        {
            ClearCache();
        }

        _erasedSeen = count;
    }

    /// <summary>Forgets every cached owner and link; the store is the truth.</summary>
    public void ClearCache()
    {
        _owners.Clear();
        _links.Clear();
        _absent.Clear();
        _absentIn = null;
    }
}
