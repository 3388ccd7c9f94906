using Rapport.Core.Storage;

namespace Rapport.Core.Events.Intake;

/// <summary>Migrations 1600-1619: the durable intake that committed-mode ingestion appends to (docs/ingestion.md).</summary>
internal static class IntakeSchema
{
    public static readonly Migration[] Migrations =
    [
        // One row per accepted request, not per message: the client's bytes are kept whole and
        // parsed again by the projector with the same receive time, which yields the same events
        // (the parser is pure). One row per 500-message batch makes the append about one
        // sequential write; per-message rows would cost a B-tree entry and a bind each.
        // kind: 'batch', or the Segment type of a single call (track, identify, ...).
        // failed: why the projector could not project the row even alone; it is then kept and
        // skipped (set it back to NULL to retry).
        new(1600, "event intake", """
            CREATE TABLE event_intake (
              id {id},
              received_at BIGINT NOT NULL,
              kind TEXT NOT NULL,
              message_count BIGINT NOT NULL,
              body {only:sqlite:BLOB}{only:postgres:BYTEA} NOT NULL,
              failed TEXT NULL);
            """),
    ];
}
