using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>
/// The time-driven part: customers whose counted events leave a window are due on that day
/// (<see cref="Schedule"/>), settled with reason "time" by the sweeper and before any later write.
/// </summary>
public sealed partial class SegmentRuntime
{
    /// <summary>
    /// Customers in memory whose counted events left a window by <paramref name="today"/>,
    /// evaluated with reason "time" before a write's own changes: when the clock has passed the day
    /// a customer was due, a write that reaches them (an event, refreshed needs) before the sweeper
    /// does must not record their leaving as its doing; the window closed first. Customers not in
    /// memory stay due for the sweeper (loading them here would count this unit's events twice).
    /// </summary>
    private async Task<(int Evaluated, int Entered, int Left)> SettleDueInMemoryAsync(UnitOfWork unit, int today, CancellationToken ct)
    {
        if (_due.Count == 0 || _due.First().Key > today)
        {
            return default;
        }

        var settle = new HashSet<long>();
        var later = new List<long>();
        while (_due.Count > 0 && _due.First() is var first && first.Key <= today)
        {
            foreach (var id in first.Value)
            {
                (_customers.ContainsKey(id) ? settle : (ICollection<long>)later).Add(id);
            }

            _due.Remove(first.Key);
        }

        if (later.Count > 0)
        {
            _due[today] = [.. later];
        }

        unit.OnRollback(() => Forget(settle));
        foreach (var id in settle)
        {
            _set.Prune(_customers[id], today);
        }

        var (entered, left) = await EvaluateAndWriteAsync(unit, settle, today, "time", ct);
        return (settle.Count, entered, left);
    }

    /// <summary>Re-evaluates customers whose counted events left a window, and loads customers created outside the pipeline.</summary>
    public async Task<MembershipResult> SweepAsync(UnitOfWork unit, CancellationToken ct = default)
    {
        if (!_loaded)
        {
            return await LoadAllAsync(unit, null, ct);
        }

        if (_segments.Count == 0)
        {
            return new MembershipResult(_customers.Count, 0, 0, 0);
        }

        var today = Today(unit);
        var settled = await SettleDueInMemoryAsync(unit, today, ct); // before a population-wide refresh, which would claim their leaving
        var versions = await loader.VersionsAsync(unit.Connection, unit.Transaction, unit.Dialect, _factFamilies, ct);
        var changed = _factFamilies.Where(f => versions[f] != _factVersions.GetValueOrDefault(f)).ToArray();
        if (changed.Length > 0)
        {
            // A refit or a population-wide recomputation changed these facts for everybody.
            var previous = _factVersions;
            unit.OnRollback(() => (_factVersions, _loaded) = (previous, false));
            _factVersions = versions;
            await RefreshFieldsAsync(unit, null, changed, ct);
            var (enteredAll, leftAll) = await EvaluateAndWriteAsync(unit, _customers.Keys.ToList(), today, "facts", ct);
            return new MembershipResult(_customers.Count, _customers.Count, settled.Entered + enteredAll, settled.Left + leftAll);
        }

        var due = new HashSet<long>();
        while (_due.Count > 0 && _due.First() is var first && first.Key <= today)
        {
            due.UnionWith(first.Value);
            _due.Remove(first.Key);
        }

        var created = (await unit.Connection.QueryAsync<long>(
            "SELECT id FROM customers WHERE id > @max AND merged_into IS NULL", new { max = _maxCustomerId }, unit.Transaction)).ToList();
        var missing = due.Where(id => !_customers.ContainsKey(id)).Concat(created).ToHashSet();
        unit.OnRollback(() => Forget(due, missing));
        var evaluate = due.Where(_customers.ContainsKey).ToHashSet();
        foreach (var id in evaluate)
        {
            _set.Prune(_customers[id], today);
        }

        evaluate.UnionWith(await LoadCustomersAsync(unit, missing, today, ct));
        var (entered, left) = await EvaluateAndWriteAsync(unit, evaluate, today, "time", ct);
        return new MembershipResult(_customers.Count, settled.Evaluated + evaluate.Count, settled.Entered + entered, settled.Left + left);
    }

    private void Schedule(CustomerSnapshot s, int today) => ScheduleOn(s.CustomerId, _set.NextChangeDay(s, today));

    private void ScheduleOn(long customer, int day)
    {
        if (day == int.MaxValue)
        {
            return;
        }

        if (!_due.TryGetValue(day, out var customers))
        {
            _due[day] = customers = [];
        }

        customers.Add(customer);
    }
}
