using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>Schema steps 1400-1449: staff, account managers, conversation threads and their messages.</summary>
internal static class ConversationsSchema
{
    public static readonly Migration[] Migrations =
    [
        // Threads and managers are filed under the customer's strongest identifier at the time
        // (id_kind, id_value), like consent rows and derived events: reads join identifiers, so
        // they follow the customer through later merges and their undo.
        // unread: inbound messages since staff last read or answered the thread (a shared inbox).
        // token: the reply token outgoing email carries in its subject ([ref:TOKEN]).
        // message_key: the caller's idempotency key (an inbound email's Message-ID), so a provider
        // posting the same email twice stores it once.
        new(1400, "conversations", """
            CREATE TABLE staff (
              id {id},
              name TEXT NOT NULL,
              email TEXT NULL,
              created_at BIGINT NOT NULL);
            CREATE UNIQUE INDEX ux_staff_email ON staff (email);
            CREATE TABLE customer_managers (
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              staff_id BIGINT NOT NULL REFERENCES staff (id),
              assigned_at BIGINT NOT NULL,
              PRIMARY KEY (id_kind, id_value));
            CREATE INDEX ix_customer_managers_staff ON customer_managers (staff_id);
            CREATE TABLE conversation_threads (
              id {id},
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              channel TEXT NOT NULL,
              subject TEXT NULL,
              status TEXT NOT NULL,
              assigned_staff_id BIGINT NULL REFERENCES staff (id),
              unread BIGINT NOT NULL,
              token TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              last_message_at BIGINT NOT NULL,
              closed_at BIGINT NULL);
            CREATE UNIQUE INDEX ux_conversation_threads_token ON conversation_threads (token);
            CREATE INDEX ix_conversation_threads_inbox ON conversation_threads (status, last_message_at);
            CREATE INDEX ix_conversation_threads_customer ON conversation_threads (id_kind, id_value);
            CREATE TABLE conversation_messages (
              id {id},
              thread_id BIGINT NOT NULL REFERENCES conversation_threads (id),
              direction TEXT NOT NULL,
              channel TEXT NOT NULL,
              author_kind TEXT NOT NULL,
              staff_id BIGINT NULL REFERENCES staff (id),
              body TEXT NOT NULL,
              message_key TEXT NULL,
              at BIGINT NOT NULL);
            CREATE UNIQUE INDEX ux_conversation_messages_key ON conversation_messages (message_key);
            CREATE INDEX ix_conversation_messages_thread ON conversation_messages (thread_id, id);
            """),
        // 1681 (staffgaps range 1680-1699): the provider's time of an inbound message beside our
        // arrival time (at), and why it was not used when it was not believable (ProviderTime).
        new(1681, "conversation message received-at", """
            ALTER TABLE conversation_messages ADD COLUMN received_at BIGINT NULL;
            ALTER TABLE conversation_messages ADD COLUMN received_at_note TEXT NULL;
            """),
    ];
}
