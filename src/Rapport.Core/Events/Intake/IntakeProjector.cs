using System.Globalization;
using System.Text.Json;
using Rapport.Core.Storage;

namespace Rapport.Core.Events.Intake;

/// <summary>
/// Drains <see cref="EventIntake"/> in sequence order: reads a group of rows (up to
/// <see cref="MaxEventsPerGroup"/> messages), parses them again off the writer's gate, then in ONE
/// transaction writes the events through <see cref="EventWriter"/> (dedup on messageId, identity,
/// every projection) and deletes the rows. A crash before the commit leaves the rows for the
/// next run; after it, they are gone: each accepted message is projected exactly once. Only
/// one projector may run per store (the hosted service); it is the only deleter of rows.
/// </summary>
public sealed class IntakeProjector(IDatabase database, StoreWriter writer, EventWriter eventWriter)
{
    private const string DeleteSqlTemplate = "DELETE FROM event_intake WHERE id IN ";

    /// <summary>
    /// Messages per projection transaction. Larger groups share a commit's fixed costs; smaller
    /// ones let intake appends (which wait for the same writer) in sooner.
    /// </summary>
    public int MaxEventsPerGroup { get; set; } = 10_000;

    /// <summary>
    /// Projects the next group. Returns the number of intake rows it consumed (projected, or
    /// set aside as failed); 0 when the intake is empty. Store errors propagate: the caller
    /// waits and calls again, and the rows are still there.
    /// </summary>
    public Task<int> ProjectNextAsync(CancellationToken cancellationToken = default) => ProjectNextAsync(MaxEventsPerGroup, cancellationToken);

    /// <param name="maxEvents">Messages in this group at most (a single larger request is still taken whole).</param>
    public async Task<int> ProjectNextAsync(int maxEvents, CancellationToken cancellationToken = default)
    {
        var rows = await ReadGroupAsync(maxEvents, cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }

        var parsed = new List<ParsedRow>(rows.Count);
        foreach (var row in rows)
        {
            var p = Parse(row);
            if (p.Error is { } error)
            {
                await MarkFailedAsync(row.Id, error, cancellationToken);
            }
            else
            {
                parsed.Add(p);
            }
        }

        if (parsed.Count > 0)
        {
            await WriteOrIsolateAsync(parsed, cancellationToken);
        }

        return rows.Count;
    }

    /// <summary>Projects until the intake is empty (tests, `rapport` commands that must see everything).</summary>
    public async Task<int> ProjectAllAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        int n;
        while ((n = await ProjectNextAsync(cancellationToken)) > 0)
        {
            total += n;
        }

        return total;
    }

    private async Task WriteOrIsolateAsync(List<ParsedRow> parsed, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(parsed, cancellationToken);
        }
        catch (Exception) when (parsed.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // One row broke the shared transaction: project each alone so the others still land.
            foreach (var row in parsed)
            {
                await WriteOrIsolateAsync([row], cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // This row fails on its own: keep it, say why, and go on with the rest. If the store
            // itself is down, recording that fails too and the error propagates: the row stays
            // as it was and the caller retries later.
            await MarkFailedAsync(parsed[0].Id, $"{ex.GetType().Name}: {ex.Message}", cancellationToken);
        }
    }

    private Task WriteAsync(List<ParsedRow> parsed, CancellationToken cancellationToken)
    {
        var events = parsed.Count == 1 ? parsed[0].Events : parsed.SelectMany(p => p.Events).ToList();
        var ids = parsed.Select(p => p.Id).ToList();
        return writer.WriteAsync(
            async unit =>
            {
                await eventWriter.WriteAsync(unit, events);
                await unit.Statement(DeleteSqlTemplate + ValueList.Sql(unit.Dialect, "@ids"), "@ids").ExecuteAsync(ValueList.Of(unit.Dialect, ids));
                return 0;
            },
            cancellationToken);
    }

    private Task MarkFailedAsync(long id, string error, CancellationToken cancellationToken) =>
        writer.WriteAsync(
            async unit => await unit.Statement("UPDATE event_intake SET failed = @error WHERE id = @id", "@error", "@id").ExecuteAsync(error, id),
            cancellationToken);

    /// <summary>
    /// The oldest rows not set aside, until they hold <paramref name="maxEvents"/> messages
    /// (at least one row). Read outside the writer: only this projector deletes rows, and
    /// appends commit one group at a time, so the rows read are exactly the oldest ones.
    /// </summary>
    private async Task<List<IntakeRow>> ReadGroupAsync(int maxEvents, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, kind, received_at, message_count, body FROM event_intake WHERE failed IS NULL ORDER BY id LIMIT 1000";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<IntakeRow>();
        var messages = 0L;
        while (messages < maxEvents && await reader.ReadAsync(cancellationToken))
        {
            var count = Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture);
            if (rows.Count > 0 && messages + count > maxEvents)
            {
                break;
            }

            rows.Add(new IntakeRow(
                Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
                reader.GetString(1),
                UnixTime.FromStorage(Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)),
                (byte[])reader.GetValue(4)));
            messages += count;
        }

        return rows;
    }

    /// <summary>
    /// The same parse the request was validated with, at the same receive time, so the events
    /// (ids, corrected timestamps, channels) are the ones the client was told were accepted.
    /// </summary>
    private static ParsedRow Parse(IntakeRow row)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(row.Body, SegmentMessageParser.DocumentOptions);
        }
        catch (JsonException ex)
        {
            return new ParsedRow(row.Id, [], $"The stored body is not JSON: {ex.Message}");
        }

        // The document is not disposed: the events read their properties from it until stored.
        List<IncomingEvent> events;
        List<MessageError> errors;
        if (row.Kind == EventIntake.BatchKind)
        {
            if (SegmentMessageParser.ParseBatch(document.RootElement, row.ReceivedAt, int.MaxValue) is not var (e, es))
            {
                return new ParsedRow(row.Id, [], "The stored body has no 'batch' array.");
            }

            (events, errors) = (e, es);
        }
        else
        {
            var (e, es) = SegmentMessageParser.Parse(document.RootElement, row.Kind, row.ReceivedAt, "$");
            (events, errors) = (e is null ? [] : [e], es);
        }

        if (errors.Count > 0)
        {
            return new ParsedRow(row.Id, [], $"{errors[0].Path}: {errors[0].Message}");
        }

        for (var i = 0; i < events.Count; i++)
        {
            events[i] = events[i] with { ReceivedAt = row.ReceivedAt };
        }

        return new ParsedRow(row.Id, events, null);
    }

    private sealed record IntakeRow(long Id, string Kind, DateTimeOffset ReceivedAt, byte[] Body);

    private sealed record ParsedRow(long Id, List<IncomingEvent> Events, string? Error);
}
