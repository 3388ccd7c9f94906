using Rapport.Core.Storage;

namespace Rapport.Core.Events;

/// <summary>
/// Marks where each event came from (migrations 1560-1579): <c>origin</c> is 'customer' for
/// collected events (the column default, so the ingest insert does not name it and existing
/// rows are right at once) and 'rapport' for Rapport's own timeline events, set only by
/// <see cref="OwnEvents"/>.
/// </summary>
internal static class OwnEventsSchema
{
    public static readonly Migration[] Migrations =
    [
        // A constant default: PostgreSQL 11+ and SQLite add the column without rewriting the table.
        new(1560, "events: origin", $"ALTER TABLE events ADD COLUMN origin TEXT NOT NULL DEFAULT '{EventOrigin.Customer}';"),

        // Own events written before the column: the names Rapport's writers used, made by one of
        // its own libraries (context.library.name 'rapport-…'; a shop sending its own "Email Sent"
        // stays the customer's), and consent changes made through the API (rapport-consent).
        new(1561, "events: mark existing own events", $"""
            UPDATE events SET origin = '{EventOrigin.Rapport}'
            WHERE type = 'track' AND context LIKE '%"name":"rapport-%' AND (name IN (
              'Segment Entered', 'Segment Left',
              'Email Sent', 'Email Failed', 'Email Blocked', 'SMS Sent', 'SMS Failed', 'SMS Blocked', 'Push Sent', 'Push Failed', 'Push Blocked',
              'Journey Entered', 'Journey Step', 'Journey Exited',
              'Tier Changed', 'Surprise Given',
              'Conversation Message Sent', 'Conversation Note Added')
              OR (name = 'Consent Updated' AND context LIKE '%"name":"rapport-consent"%'));
            """),
    ];
}
