using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>A file in the customer's data export: its bytes in base64, with the sha256 to check them.</summary>
public sealed record ExportedAttachment(long Id, string FileName, string ContentType, long Size, string Sha256, string ContentBase64);

public sealed record ExportedMessage(long Id, string Direction, string Channel, string Author, string? StaffName, string Body, DateTimeOffset At, IReadOnlyList<ExportedAttachment> Attachments);

public sealed record ExportedThread(long Id, string Channel, string? Subject, string Status, DateTimeOffset CreatedAt, IReadOnlyList<ExportedMessage> Messages);

/// <summary>The customer's conversations for their data export ("download my data"): every thread, message and file, oldest first.</summary>
public static class ConversationExport
{
    public static async Task<IReadOnlyList<ExportedThread>> ForCustomerAsync(IDatabase database, long customerId, CancellationToken ct = default)
    {
        var files = (await new AttachmentStore(database).ForCustomerAsync(customerId, ct))
            .ToLookup(a => a.Info.MessageId, a => new ExportedAttachment(a.Info.Id, a.Info.FileName, a.Info.ContentType, a.Info.Size, a.Info.Sha256, Convert.ToBase64String(a.Content)));
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<Row>(
            """
            SELECT t.id AS ThreadId, t.channel AS Channel, t.subject AS Subject, t.status AS Status, t.created_at AS CreatedAt, m.id AS Id,
              m.direction AS Direction, m.channel AS MessageChannel, m.author_kind AS Author, s.name AS StaffName, m.body AS Body, m.at AS At
            FROM conversation_threads t
            JOIN identifiers i ON i.kind = t.id_kind AND i.value = t.id_value
            LEFT JOIN conversation_messages m ON m.thread_id = t.id
            LEFT JOIN staff s ON s.id = m.staff_id
            WHERE i.customer_id = @customerId
            ORDER BY t.id, m.id
            """, new { customerId })).ToList();
        return rows.GroupBy(r => r.ThreadId).Select(g =>
        {
            var t = g.First();
            var messages = g.Where(r => r.Id is not null).Select(r => new ExportedMessage(
                r.Id!.Value, r.Direction!, r.MessageChannel!, r.Author!, r.StaffName, r.Body!, UnixTime.FromStorage(r.At!.Value), files[r.Id.Value].ToList())).ToList();
            return new ExportedThread(t.ThreadId, t.Channel, t.Subject, t.Status, UnixTime.FromStorage(t.CreatedAt), messages);
        }).ToList();
    }

    private sealed class Row
    {
        public long ThreadId { get; init; }

        public string Channel { get; init; } = "";

        public string? Subject { get; init; }

        public string Status { get; init; } = "";

        public long CreatedAt { get; init; }

        public long? Id { get; init; }

        public string? Direction { get; init; }

        public string? MessageChannel { get; init; }

        public string? Author { get; init; }

        public string? StaffName { get; init; }

        public string? Body { get; init; }

        public long? At { get; init; }
    }
}
