using System.Threading.Channels;
using Rapport.Core.Storage;

namespace Rapport.Core.Events;

/// <summary>How many of the submitted messages were new and how many were retries already stored.</summary>
public sealed record IngestResult(int Stored, int Duplicates);

/// <summary>
/// The seam every event enters through. One process uses <see cref="EventPipeline"/>; a
/// scale-out deployment would partition by customer over a message broker behind this same call.
/// </summary>
public interface IEventSink
{
    /// <summary>Completes once the events are committed: a success reply may be sent after this.</summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken = default);
}

/// <summary>
/// Group commit: concurrent requests queue here and one loop writes everything waiting in one
/// transaction (up to <see cref="MaxEventsPerTransaction"/>), then releases every caller. Many
/// small HTTP batches thus cost one commit, and each caller still only hears "ok" after its
/// events are durable.
/// </summary>
public sealed class EventPipeline : IEventSink, IAsyncDisposable
{
    public const int MaxEventsPerTransaction = 20_000;

    /// <summary>
    /// A group smaller than this waits <see cref="Linger"/> once for more submissions: senders
    /// released by the previous commit are usually re-posting right then, and a transaction's
    /// fixed costs (begin, commit, the index pages it dirties) are then shared by more events.
    /// </summary>
    public const int LingerBelow = 5_000;

    /// <summary>Short next to a commit (tens of ms under load), so it costs latency only when the queue is quiet.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    private readonly Channel<Submission> _queue = Channel.CreateUnbounded<Submission>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StoreWriter _writer;
    private readonly EventWriter _eventWriter;
    private readonly Task _loop;

    public EventPipeline(StoreWriter writer, EventWriter eventWriter)
    {
        _writer = writer;
        _eventWriter = eventWriter;
        _loop = Task.Run(RunAsync);
    }

    public Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return Task.FromResult(new IngestResult(0, 0));
        }

        var submission = new Submission(events, new TaskCompletionSource<IngestResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(submission))
        {
            throw new InvalidOperationException("The event pipeline is shutting down.");
        }

        return submission.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var group = new List<Submission>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            var count = Drain(group, 0);
            if (count < LingerBelow)
            {
                await Task.Delay(Linger);
                Drain(group, count);
            }

            await WriteGroupAsync(group);
        }
    }

    private int Drain(List<Submission> group, int count)
    {
        while (count < MaxEventsPerTransaction && _queue.Reader.TryRead(out var next))
        {
            group.Add(next);
            count += next.Events.Count;
        }

        return count;
    }

    private async Task WriteGroupAsync(List<Submission> group)
    {
        try
        {
            var all = group.Count == 1 ? group[0].Events : group.SelectMany(s => s.Events).ToList();
            var stored = await _writer.WriteAsync(unit => _eventWriter.WriteAsync(unit, all));
            foreach (var s in group)
            {
                // A message id counts as stored once, for the first submission that carried it.
                var mine = s.Events.Select(e => e.MessageId).Distinct(StringComparer.Ordinal).Count(stored.Remove);
                s.Done.TrySetResult(new IngestResult(mine, s.Events.Count - mine));
            }
        }
        catch (Exception) when (group.Count > 1)
        {
            // One submission broke the shared transaction: write each alone so the others still land.
            foreach (var s in group)
            {
                await WriteGroupAsync([s]);
            }
        }
        catch (Exception ex)
        {
            group[0].Done.TrySetException(ex);
        }
    }

    private sealed record Submission(IReadOnlyList<IncomingEvent> Events, TaskCompletionSource<IngestResult> Done);
}
