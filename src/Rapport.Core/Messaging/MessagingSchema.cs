using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>Issue 5 (interact) owns 1200-1299; messaging uses 1200-1219.</summary>
internal static class MessagingSchema
{
    public static readonly Migration[] Migrations =
    [
        // message_templates: Mustache-subset texts (Engine/Messaging/MessageTemplate), checked on save.
        // outbox: one row per message to send. message_key makes enqueueing idempotent (a journey
        // step retried after a crash enqueues once). status: pending → sending (claimed, with a
        // lease until next_attempt_at) → sent | dead; a lease that runs out (the process died
        // mid-send) makes the row due again. email_suppressions: addresses that must not get
        // marketing email (unsubscribed, hard bounce), checked at send time.
        new(1200, "messaging", """
            CREATE TABLE message_templates (
              name TEXT PRIMARY KEY,
              channel TEXT NOT NULL,
              subject TEXT NOT NULL,
              body_text TEXT NOT NULL,
              body_html TEXT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE outbox (
              id {id},
              message_key TEXT NOT NULL UNIQUE,
              customer_id BIGINT NOT NULL,
              channel TEXT NOT NULL,
              purpose TEXT NOT NULL,
              template TEXT NULL,
              recipient TEXT NOT NULL,
              subject TEXT NOT NULL,
              body_text TEXT NOT NULL,
              body_html TEXT NULL,
              status TEXT NOT NULL,
              attempts BIGINT NOT NULL,
              next_attempt_at BIGINT NOT NULL,
              last_error TEXT NULL,
              created_at BIGINT NOT NULL,
              sent_at BIGINT NULL);
            CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at);
            CREATE INDEX ix_outbox_customer ON outbox (customer_id, created_at);
            CREATE TABLE email_suppressions (
              address TEXT PRIMARY KEY,
              reason TEXT NOT NULL,
              source_message BIGINT NULL,
              created_at BIGINT NOT NULL);
            CREATE TABLE messaging_secrets (
              name TEXT PRIMARY KEY,
              value TEXT NOT NULL);
            """),
    ];
}
