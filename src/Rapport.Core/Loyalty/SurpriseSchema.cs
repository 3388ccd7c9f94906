using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>Schema steps 1160-1169: surprise-and-delight programmes, gifts and hold-outs, staff tasks (docs/surprise.md).</summary>
internal static class SurpriseSchema
{
    public static readonly Migration[] Migrations =
    [
        // surprise_programs: the programme as JSON (Engine SurpriseProgram). surprise_gifts: one
        // row per customer and run, a gift (control 0, cost_e4 what it cost) or a hold-out in the
        // control group (control 1, kind 'holdout', cost 0); both count for spacing and for the
        // effect report. staff_tasks: work for people, e.g. a handwritten note (status open/done).
        new(1160, "surprises", """
            CREATE TABLE surprise_programs (
              id {id},
              name TEXT NOT NULL,
              definition TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE surprise_gifts (
              id {id},
              program_id BIGINT NOT NULL,
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              control BIGINT NOT NULL,
              kind TEXT NOT NULL,
              cost_e4 BIGINT NOT NULL,
              sku TEXT NULL,
              at BIGINT NOT NULL);
            CREATE INDEX ix_surprise_gifts_program ON surprise_gifts (program_id, customer_id);
            CREATE INDEX ix_surprise_gifts_customer ON surprise_gifts (customer_id, at);
            CREATE INDEX ix_surprise_gifts_recorded_for ON surprise_gifts (recorded_for);
            CREATE INDEX ix_surprise_gifts_at ON surprise_gifts (at);
            CREATE TABLE staff_tasks (
              id {id},
              customer_id BIGINT NOT NULL,
              recorded_for BIGINT NOT NULL,
              kind TEXT NOT NULL,
              title TEXT NOT NULL,
              assignee TEXT NULL,
              gift_id BIGINT NULL,
              status TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              done_at BIGINT NULL);
            CREATE INDEX ix_staff_tasks_status ON staff_tasks (status, id);
            CREATE INDEX ix_staff_tasks_recorded_for ON staff_tasks (recorded_for);
            """),
    ];
}
