using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.LoadTests.Ingest;

/// <summary>
/// Times every projection and before-commit hook of the server's own object graph by wrapping
/// them where they are registered. Writes run one at a time on the store's writer, so the sum per
/// stage is that stage's share of the writer's time (what a sampling profiler cannot attribute
/// through async state machines).
/// </summary>
internal sealed class StageTimings
{
    private readonly ConcurrentDictionary<string, long> _ticks = new();

    /// <summary>Replaces each <see cref="IEventProjection"/> and <see cref="IBeforeCommit"/> registration with a timed wrapper.</summary>
    public static StageTimings Install(IServiceCollection services)
    {
        var timings = new StageTimings();
        Wrap<IEventProjection>(services, inner => new TimedProjection(inner, timings));
        Wrap<IBeforeCommit>(services, inner => new TimedHook(inner, timings));
        return timings;
    }

    public void Print(int events)
    {
        foreach (var (stage, ticks) in _ticks.OrderByDescending(x => x.Value))
        {
            var elapsed = Stopwatch.GetElapsedTime(0, ticks);
            Console.WriteLine($"    {stage,-48} {elapsed.TotalMilliseconds,9:N0} ms {elapsed.TotalMicroseconds / events,7:N1} µs/event");
        }
    }

    private async Task TimeAsync(string stage, Func<Task> work)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await work();
        }
        finally
        {
            _ticks.AddOrUpdate(stage, Stopwatch.GetTimestamp() - started, (_, t) => t + Stopwatch.GetTimestamp() - started);
        }
    }

    private static void Wrap<T>(IServiceCollection services, Func<T, T> wrap)
        where T : class
    {
        foreach (var d in services.Where(d => d.ServiceType == typeof(T)).ToList())
        {
            var at = services.IndexOf(d);
            services[at] = ServiceDescriptor.Singleton<T>(sp => wrap((T)(d.ImplementationInstance
                ?? d.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.GetServiceOrCreateInstance(sp, d.ImplementationType!))));
        }
    }

    private sealed class TimedProjection(IEventProjection inner, StageTimings timings) : IEventProjection
    {
        public Task ApplyAsync(UnitOfWork unit, IReadOnlyList<StoredEvent> events) =>
            timings.TimeAsync($"projection {inner.GetType().Name}", () => inner.ApplyAsync(unit, events));

        public Task RebuildAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) => inner.RebuildAsync(unit, customers);
    }

    private sealed class TimedHook(IBeforeCommit inner, StageTimings timings) : IBeforeCommit
    {
        public Task BeforeCommitAsync(UnitOfWork unit, CancellationToken cancellationToken) =>
            timings.TimeAsync($"before commit {inner.GetType().Name}", () => inner.BeforeCommitAsync(unit, cancellationToken));
    }
}
