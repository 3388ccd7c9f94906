using System.Collections.Concurrent;

namespace Rapport.Core.Messaging;

/// <summary>
/// A few dedicated threads, each with a connection of its own, that send with blocking I/O.
/// Why not async on the thread pool: a send is four round trips (MAIL, RCPT, DATA, the body)
/// and with async I/O every reply hops from the socket engine's thread to a pool thread, two
/// context switches and a spinning pool worker per round trip; on this 2-core box that was
/// about a third of the outbox's CPU (docs/performance.md, "Session 6: outbox"). A blocked
/// thread is woken by the kernel straight from the reply. A batch is shared by the threads:
/// each takes the next unsent message until none is left, so a slow message holds up only its
/// own thread. A failure other than a delivery outcome (cancellation, a bug) fails the batch;
/// messages already handed to the server are then sent again after their lease, with the
/// same Message-ID, as after a crash.
/// </summary>
/// <typeparam name="TConnection">What one thread keeps between messages (an SMTP connection).</typeparam>
/// <typeparam name="TMessage">What one send takes: the claimed message and whatever else the transport read for it beforehand.</typeparam>
internal sealed class SenderThreads<TConnection, TMessage>(
    int count, string name, Func<TConnection> open, Func<TConnection, TMessage, CancellationToken, DeliveryOutcome> send, Action<TConnection> close)
    : IDisposable
{
    private readonly BlockingCollection<Batch> _work = [];
    private readonly Lock _lock = new();
    private Thread[]? _threads;

    public int Count { get; } = Math.Max(1, count);

    /// <summary>Sends every message; the outcomes are in the messages' order.</summary>
    public Task<DeliveryOutcome[]> SendAsync(IReadOnlyList<TMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return Task.FromResult(Array.Empty<DeliveryOutcome>());
        }

        Start();
        var batch = new Batch(messages, ct);
        for (var i = 0; i < Math.Min(Count, messages.Count); i++)
        {
            // One ticket per thread that may help; a ticket taken after the batch is done does nothing.
            _work.Add(batch, CancellationToken.None);
        }

        return batch.Done.Task.WaitAsync(ct);
    }

    private void Start()
    {
        lock (_lock)
        {
            if (_threads is not null)
            {
                return;
            }

            _threads = Enumerable.Range(0, Count).Select(i => new Thread(Run) { IsBackground = true, Name = $"{name} {i + 1}" }).ToArray();
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }
    }

    private void Run()
    {
        var connection = open();
        try
        {
            foreach (var batch in _work.GetConsumingEnumerable())
            {
                batch.Work(connection, send);
            }
        }
        finally
        {
            close(connection);
        }
    }

    /// <summary>Lets the threads finish what they hold, close their connections and end.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        Thread[]? threads;
        lock (_lock)
        {
            threads = _threads;
        }

        foreach (var thread in threads ?? [])
        {
            thread.Join();
        }

        _work.Dispose();
    }

    private sealed class Batch(IReadOnlyList<TMessage> messages, CancellationToken ct)
    {
        private readonly DeliveryOutcome[] _outcomes = new DeliveryOutcome[messages.Count];
        private int _next = -1;
        private int _left = messages.Count;

        public TaskCompletionSource<DeliveryOutcome[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Work(TConnection connection, Func<TConnection, TMessage, CancellationToken, DeliveryOutcome> send)
        {
            int i;
            while (!Done.Task.IsCompleted && (i = Interlocked.Increment(ref _next)) < messages.Count)
            {
                try
                {
                    _outcomes[i] = send(connection, messages[i], ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    Done.TrySetCanceled(ct);
                    return;
                }
                catch (Exception e)
                {
                    Done.TrySetException(e);
                    return;
                }

                if (Interlocked.Decrement(ref _left) == 0)
                {
                    Done.TrySetResult(_outcomes);
                }
            }
        }
    }
}
