using Rapport.Core.Storage;

namespace Rapport.Core.Events;

internal static class EventsSchema
{
    public static readonly Migration[] Migrations =
    [
        // id_kind/id_value is the event's strongest identifier: the customer it belongs to is
        // always "whoever owns that identifier now", so undos re-point events by it.
        new(200, "events", """
            CREATE TABLE events (
              id {id},
              message_id TEXT NOT NULL UNIQUE,
              type TEXT NOT NULL,
              name TEXT NULL,
              channel TEXT NOT NULL,
              customer_id BIGINT NOT NULL,
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              anonymous_id TEXT NULL,
              user_id TEXT NULL,
              occurred_at BIGINT NOT NULL,
              received_at BIGINT NOT NULL,
              properties TEXT NOT NULL,
              context TEXT NULL);
            CREATE INDEX ix_events_customer_time ON events (customer_id, occurred_at);
            CREATE INDEX ix_events_identity ON events (id_kind, id_value);
            """),

        // Merges re-point events by the old owner's customer_id (ix_events_customer_time); only
        // a component replay also filters by identifier, within the few customers involved.
        // This index cost one random page write per ingested event.
        new(210, "events: drop the identifier index", "DROP INDEX IF EXISTS ix_events_identity;"),
    ];
}
