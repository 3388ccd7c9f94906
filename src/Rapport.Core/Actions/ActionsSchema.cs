using Rapport.Core.Storage;

namespace Rapport.Core.Actions;

internal static class ActionsSchema
{
    public static readonly Migration[] Migrations =
    [
        // actions: the catalogue; definition is the validated JSON (condition in canonical text).
        // action_stats: per action, decisions issued (total budget) and outcomes (propensity),
        // kept with each decision so ranking never scans the log.
        // decisions: ONE log across channels. Rows name the customer's identifier (like events)
        // and are read through identifiers, so caps and cool-downs follow merges.
        new(900, "action catalogue and decision log", """
            CREATE TABLE actions (
              id {id},
              name TEXT NOT NULL UNIQUE,
              kind TEXT NOT NULL,
              definition TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE action_stats (
              action_id BIGINT PRIMARY KEY REFERENCES actions (id),
              issued BIGINT NOT NULL,
              accepted BIGINT NOT NULL,
              ignored BIGINT NOT NULL);
            CREATE TABLE decisions (
              id {id},
              action_id BIGINT NOT NULL REFERENCES actions (id),
              customer_id BIGINT NOT NULL,
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              channel TEXT NOT NULL,
              placement TEXT NULL,
              purpose TEXT NOT NULL,
              product_id TEXT NULL,
              propensity DOUBLE PRECISION NOT NULL,
              expected_value DOUBLE PRECISION NOT NULL,
              score DOUBLE PRECISION NOT NULL,
              reason TEXT NOT NULL,
              data TEXT NOT NULL,
              decided_at BIGINT NOT NULL,
              outcome TEXT NULL,
              outcome_at BIGINT NULL);
            CREATE INDEX ix_decisions_identity ON decisions (id_kind, id_value, decided_at);
            """),
        // Control groups (issue 4, measurement): a held-out customer's decision is logged with
        // control = 1 and not shown; it counts for nobody's budget or learning.
        new(901, "decision control groups", """
            ALTER TABLE decisions ADD COLUMN control BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX ix_decisions_action ON decisions (action_id, control);
            """),
    ];
}
