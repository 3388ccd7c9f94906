using Rapport.Core.Storage;

namespace Rapport.Core.Segments;

internal static class SegmentsSchema
{
    public static readonly Migration[] Migrations =
    [
        // definition is the canonical JSON, text the canonical text form (they say the same).
        // status: 'building' until the first full evaluation after saving, then 'active';
        // 'invalid' when a stored definition no longer validates (a field family was removed).
        // segment_members holds current members only; entering and leaving are events on the
        // customer's timeline (track 'Segment Entered' / 'Segment Left').
        new(640, "segments", """
            CREATE TABLE segments (
              id {id},
              name TEXT NOT NULL UNIQUE,
              definition TEXT NOT NULL,
              text TEXT NOT NULL,
              status TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL,
              computed_at BIGINT NULL);
            CREATE TABLE segment_members (
              segment_id BIGINT NOT NULL REFERENCES segments (id),
              customer_id BIGINT NOT NULL,
              entered_at BIGINT NOT NULL,
              PRIMARY KEY (segment_id, customer_id));
            CREATE INDEX ix_segment_members_customer ON segment_members (customer_id);
            """),
    ];
}
