using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Value;

/// <summary>
/// The schedule of the bulk value work in the server: the recomputation every
/// <see cref="ValueOptions.RecomputeInterval"/> and the CLV refit every
/// <see cref="ValueOptions.RefitInterval"/>, counted from the last run recorded in the store (so
/// a restart does not reset the clock, and several nodes over one PostgreSQL mostly agree).
/// A store that holds value rows but was never recomputed or fitted gets both at once; an empty
/// store is first looked at one interval after start. A failed run is logged and retried after
/// at most 15 minutes. Time comes from the <see cref="TimeProvider"/>, so tests move it.
/// </summary>
public sealed class ValueSchedule(ValueRecompute recompute, ClvRefit refit, IDatabase database, ValueOptions options, TimeProvider clock)
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(15);

    /// <summary>Raised with the time the schedule sleeps until, once its timer is set.</summary>
    public event Action<DateTimeOffset>? Waiting;

    /// <summary>When the schedule next wakes up, once it sleeps (for the status page and tests).</summary>
    public DateTimeOffset? SleepingUntil { get; private set; }

    public async Task RunAsync(Action<string> log, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        DateTimeOffset recomputeNotBefore = default, refitNotBefore = default;
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            DateTimeOffset recomputeDue, refitDue;
            try
            {
                (recomputeDue, refitDue) = await DueAsync(started, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log($"value schedule: cannot read the store ({e.Message}); retrying in {RetryAfterFailure.TotalMinutes:0} minutes");
                (recomputeDue, refitDue) = (now + RetryAfterFailure, now + RetryAfterFailure);
            }

            recomputeDue = Max(recomputeDue, recomputeNotBefore);
            refitDue = Max(refitDue, refitNotBefore);
            var next = Min(recomputeDue, refitDue);
            if (next > now)
            {
                // The timer is set before anyone hears that we wait, so a test that moves the
                // clock on Waiting cannot move it before the timer exists.
                var sleep = Task.Delay(next - now, clock, ct);
                SleepingUntil = next;
                Waiting?.Invoke(next);
                await sleep;
                SleepingUntil = null;
                continue;
            }

            if (recomputeDue <= now)
            {
                try
                {
                    var s = await recompute.RunAsync(rebuild: false, log, ct);
                    log($"value schedule: recomputed {s.Customers:N0} customers in {s.TotalSeconds:0.0} s; next in {options.RecomputeInterval}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    recomputeNotBefore = now + Min(RetryAfterFailure, options.RecomputeInterval);
                    log($"value schedule: the recomputation failed: {e.Message}");
                }
            }

            if (refitDue <= now)
            {
                try
                {
                    var outcome = await refit.FitAsync(options.Clv, log, ct);
                    log(outcome.Fitted
                        ? $"value schedule: CLV model {outcome.Model.Id} fitted on {outcome.Model.Customers:N0} customers; next in {options.RefitInterval}"
                        : $"value schedule: CLV fit {outcome.Model.Id} failed: {outcome.Model.Message}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    refitNotBefore = now + Min(RetryAfterFailure, options.RefitInterval);
                    log($"value schedule: the CLV refit failed: {e.Message}");
                }
            }
        }
    }

    /// <summary>When each job is next due, from the last run the store records.</summary>
    private async Task<(DateTimeOffset Recompute, DateTimeOffset Refit)> DueAsync(DateTimeOffset started, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var lastRecompute = await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(computed_at) FROM value_population", cancellationToken: ct));
        var lastFit = await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(fitted_at) FROM clv_models", cancellationToken: ct));
        var hasData = lastRecompute is not null && lastFit is not null
            || await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT customer_id FROM customer_value LIMIT 1", cancellationToken: ct)) is not null;
        var now = clock.GetUtcNow();
        return (
            Due(lastRecompute, options.RecomputeInterval),
            Due(lastFit, options.RefitInterval));

        DateTimeOffset Due(long? last, TimeSpan interval) =>
            last is { } at ? UnixTime.FromStorage(at) + interval : hasData ? now : started + interval;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
