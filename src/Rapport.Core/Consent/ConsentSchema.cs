using Rapport.Core.Storage;

namespace Rapport.Core.Consent;

internal static class ConsentSchema
{
    public static readonly Migration[] Migrations =
    [
        // consent_ledger is append-only: every answer and preference with its source and time.
        // Rows name the identifier the answer came with (id_kind/id_value), like events, and are
        // read through identifiers, so they follow the customer through merges and undos
        // without ever being rewritten. The current state is folded from the rows (latest at wins).
        // contact_log: every contact made through ContactPolicy (weekly maximums count it).
        new(700, "consent ledger and contact log", """
            CREATE TABLE consent_ledger (
              id {id},
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              item TEXT NOT NULL,
              value TEXT NOT NULL,
              source TEXT NOT NULL,
              message_id TEXT NOT NULL,
              at BIGINT NOT NULL,
              recorded_at BIGINT NOT NULL);
            CREATE INDEX ix_consent_ledger_identity ON consent_ledger (id_kind, id_value, at);
            CREATE TABLE contact_log (
              id {id},
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              channel TEXT NOT NULL,
              purpose TEXT NOT NULL,
              reference TEXT NOT NULL,
              at BIGINT NOT NULL);
            CREATE INDEX ix_contact_log_identity ON contact_log (id_kind, id_value, channel, at);
            """),
    ];
}
