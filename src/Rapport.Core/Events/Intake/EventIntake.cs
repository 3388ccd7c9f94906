using Rapport.Core.Storage;

namespace Rapport.Core.Events.Intake;

/// <summary>How much accepted input still waits for the projector, and since when.</summary>
public sealed record IntakeBacklog(long Requests, long Events, DateTimeOffset? OldestReceivedAt, long FailedRequests)
{
    public static readonly IntakeBacklog Empty = new(0, 0, null, 0);
}

/// <summary>
/// The durable intake: validated requests are appended here, committed, and only then answered
/// (committed acknowledgement). Concurrent requests share one commit through the store writer's
/// group commit; the append does no identity or projection work, so it costs one row per request.
/// <see cref="IntakeProjector"/> turns the rows into events behind it.
/// </summary>
public sealed class EventIntake(StoreWriter writer, IDatabase database)
{
    /// <summary>The kind of a row holding a whole /v1/batch body; single calls store their Segment type.</summary>
    public const string BatchKind = "batch";

    private const string InsertSql = "INSERT INTO event_intake (received_at, kind, message_count, body) VALUES (@received_at, @kind, @count, @body)";

    private readonly SemaphoreSlim _appended = new(0, 1);
    private long _lastAppendTicks;
    private int _pendingAppends;

    /// <summary>
    /// Appends one validated request and completes once it is committed. <paramref name="receivedAt"/>
    /// is kept to the millisecond: the projector parses the body again with it (clock-skew
    /// correction), so pass the time the request was validated with, truncated the same way
    /// (<see cref="UnixTime.ToStorage"/>).
    /// </summary>
    public Task AppendAsync(string kind, DateTimeOffset receivedAt, int messages, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var bytes = body.ToArray();
        var at = UnixTime.ToStorage(receivedAt);
        Interlocked.Increment(ref _pendingAppends);
        Volatile.Write(ref _lastAppendTicks, System.Diagnostics.Stopwatch.GetTimestamp());
        return AppendAsync();

        async Task AppendAsync()
        {
            try
            {
                await writer.WriteGroupedAsync(
                    async unit =>
                    {
                        await unit.Statement(InsertSql, "@received_at", "@kind", "@count", "@body").ExecuteAsync(at, kind, (long)messages, bytes);
                        unit.OnCommit(Signal);
                        return 0;
                    },
                    cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingAppends);
            }
        }
    }

    /// <summary>
    /// True while an append waits or one started within <paramref name="window"/> (machine time):
    /// the projector gives way then, so acceptance does not queue behind a projection transaction.
    /// </summary>
    public bool Busy(TimeSpan window) =>
        Volatile.Read(ref _pendingAppends) > 0
        || System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastAppendTicks)) < window;

    /// <summary>Waits until something was appended since the last wait, or <paramref name="timeout"/> passes.</summary>
    public Task<bool> WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken) => _appended.WaitAsync(timeout, cancellationToken);

    public async Task<IntakeBacklog> BacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FILTER (WHERE failed IS NULL), COALESCE(SUM(message_count) FILTER (WHERE failed IS NULL), 0),
                   MIN(received_at) FILTER (WHERE failed IS NULL), COUNT(*) FILTER (WHERE failed IS NOT NULL)
            FROM event_intake
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new IntakeBacklog(
            Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
            reader.IsDBNull(2) ? null : UnixTime.FromStorage(Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture)),
            Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture));
    }

    private void Signal()
    {
        if (_appended.CurrentCount == 0)
        {
            try
            {
                _appended.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit signalled at the same moment: one wake-up is enough.
            }
        }
    }
}
