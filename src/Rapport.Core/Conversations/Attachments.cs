using System.Security.Cryptography;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>A file arriving with a message (an email attachment, a file sent in the chat or by staff).</summary>
public sealed record NewAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>A stored file as messages list it: everything but the bytes.</summary>
public sealed record AttachmentInfo(long Id, long MessageId, string FileName, string ContentType, long Size, string Sha256);

/// <summary>A stored file with its bytes and the thread it belongs to (for downloads and the data export).</summary>
public sealed record StoredAttachment(AttachmentInfo Info, long ThreadId, byte[] Content);

/// <summary>
/// What files are kept (Rapport:Attachments:MaxBytes, :AllowedTypes). Types are an allow-list,
/// not a block-list: HTML, SVG and scripts are left out because a file a customer sent is shown
/// to staff signed in to the dashboard. Downloads are always served as attachments anyway.
/// </summary>
public sealed record AttachmentOptions
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    public long MaxBytes { get; init; } = DefaultMaxBytes;

    public int MaxPerMessage { get; init; } = 10;

    public IReadOnlySet<string> AllowedTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/heic",
        "application/pdf", "text/plain", "text/csv",
        "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    };

    /// <summary>"image/PNG; name=x" is "image/png": the type without its parameters, lower case.</summary>
    public static string Normalize(string? contentType) =>
        (contentType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant();

    /// <summary>Throws a 413 or 415 <see cref="ConversationException"/> for files that are not kept; returns the files cleaned (type normalised, a safe name).</summary>
    public IReadOnlyList<NewAttachment> Check(IReadOnlyList<NewAttachment>? files)
    {
        if (files is null || files.Count == 0)
        {
            return [];
        }

        if (files.Count > MaxPerMessage)
        {
            throw new ConversationException("Too many files", $"A message may carry at most {MaxPerMessage} files; this one has {files.Count}. Send them in several messages.", 413);
        }

        var clean = new List<NewAttachment>(files.Count);
        foreach (var f in files)
        {
            var name = SafeName(f.FileName);
            var type = Normalize(f.ContentType);
            if (f.Content.LongLength > MaxBytes)
            {
                throw new ConversationException("File too large", $"'{name}' has {f.Content.LongLength:N0} bytes; a file may have at most {MaxBytes:N0} ({MaxBytes / 1024 / 1024} MB). Send a smaller file or a link.", 413);
            }

            if (!AllowedTypes.Contains(type))
            {
                throw new ConversationException("File type not allowed", $"'{name}' is {(type.Length == 0 ? "of no stated type" : type)}; files may be {string.Join(", ", AllowedTypes.Order(StringComparer.Ordinal))} (setting Rapport:Attachments:AllowedTypes).", 415);
            }

            clean.Add(new NewAttachment(name, type, f.Content));
        }

        return clean;
    }

    /// <summary>The last path segment, without control characters or quotes, at most 200 characters; "attachment" when nothing is left.</summary>
    public static string SafeName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/')[^1];
        var kept = new string(last.Where(ch => !char.IsControl(ch) && ch is not ('"' or '<' or '>')).ToArray()).Trim();
        return kept.Length == 0 ? "attachment" : kept.Length > 200 ? kept[..200] : kept;
    }
}

/// <summary>Stores and reads message attachments (table conversation_attachments, migration 1520).</summary>
public sealed class AttachmentStore(IDatabase database)
{
    private const string InfoColumns =
        "a.id AS Id, a.message_id AS MessageId, a.file_name AS FileName, a.content_type AS ContentType, a.size AS Size, a.sha256 AS Sha256";

    /// <summary>Stores the files of a message in its transaction.</summary>
    internal static async Task InsertAsync(UnitOfWork unit, long messageId, IReadOnlyList<NewAttachment> files)
    {
        foreach (var f in files)
        {
            await unit.Connection.ExecuteAsync(
                """
                INSERT INTO conversation_attachments (message_id, file_name, content_type, size, sha256, content, created_at)
                VALUES (@messageId, @FileName, @ContentType, @size, @sha, @Content, @now)
                """,
                new { messageId, f.FileName, f.ContentType, size = f.Content.LongLength, sha = Convert.ToHexStringLower(SHA256.HashData(f.Content)), f.Content, now = unit.Now },
                unit.Transaction);
        }
    }

    /// <summary>The files of the given messages, by message id.</summary>
    internal static async Task<ILookup<long, AttachmentInfo>> ForMessagesAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, string messageWhere, object args) =>
        (await c.QueryAsync<AttachmentInfo>(
            $"SELECT {InfoColumns} FROM conversation_attachments a JOIN conversation_messages m ON m.id = a.message_id WHERE {messageWhere} ORDER BY a.id",
            args, tx)).ToLookup(a => a.MessageId);

    /// <summary>One file with its bytes; null when there is none.</summary>
    public async Task<StoredAttachment?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {InfoColumns}, m.thread_id AS ThreadId, a.content AS Content FROM conversation_attachments a JOIN conversation_messages m ON m.id = a.message_id WHERE a.id = @id",
            new { id });
        return row?.ToStored();
    }

    /// <summary>Every file in the customer's threads (their data export), oldest first.</summary>
    public async Task<IReadOnlyList<StoredAttachment>> ForCustomerAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(
            $"""
            SELECT {InfoColumns}, m.thread_id AS ThreadId, a.content AS Content
            FROM conversation_attachments a
            JOIN conversation_messages m ON m.id = a.message_id
            JOIN conversation_threads t ON t.id = m.thread_id
            JOIN identifiers i ON i.kind = t.id_kind AND i.value = t.id_value
            WHERE i.customer_id = @customerId ORDER BY a.id
            """, new { customerId });
        return rows.Select(r => r.ToStored()).ToList();
    }

    private sealed record Row(long Id, long MessageId, string FileName, string ContentType, long Size, string Sha256, long ThreadId, byte[] Content)
    {
        public StoredAttachment ToStored() => new(new AttachmentInfo(Id, MessageId, FileName, ContentType, Size, Sha256), ThreadId, Content);
    }
}
