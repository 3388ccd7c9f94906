using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>Schema steps 1520-1539: files kept with conversation messages.</summary>
internal static class AttachmentsSchema
{
    public static readonly Migration[] Migrations =
    [
        // The bytes live in the store (BLOB/BYTEA) next to their message, so a backup, the data
        // export and erasure treat them like the message itself. size and sha256 let staff and
        // exports check a file without reading it.
        new(1520, "conversation attachments", """
            CREATE TABLE conversation_attachments (
              id {id},
              message_id BIGINT NOT NULL REFERENCES conversation_messages (id),
              file_name TEXT NOT NULL,
              content_type TEXT NOT NULL,
              size BIGINT NOT NULL,
              sha256 TEXT NOT NULL,
              content {only:sqlite:BLOB}{only:postgres:BYTEA} NOT NULL,
              created_at BIGINT NOT NULL);
            CREATE INDEX ix_conversation_attachments_message ON conversation_attachments (message_id);
            """),
    ];
}
