using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <summary>Issue 5 (interact): journeys own 1300-1349.</summary>
internal static class JourneysSchema
{
    public static readonly Migration[] Migrations =
    [
        // journeys: one row per journey (status draft | active | paused, the current version).
        // journey_versions: every definition ever saved; an enrolment keeps the version it entered
        // with, so editing a running journey never moves customers mid-way.
        // journey_enrolments: a customer in a journey. occurrence makes entering idempotent (the
        // trigger event's message id, the year of a birthday, the last order before P(alive)
        // fell); control = 1 for the held-out group; step = the wait it sleeps at (null before
        // the first step); moves counts advances, so each advance has its own idempotency keys.
        // journey_timers: the durable timers, one per enrolment that has somewhere to go next.
        // journey_steps: every step taken, with what it did. journey_tasks: work for the
        // customer's account manager. journey_cursors: how far the event feed and the daily
        // sweeps have read. ix_journey_enrolments_customer has all three columns the per-customer
        // checks compare, so SQLite (no statistics) picks it over the per-journey index, which
        // would scan every active enrolment of the journey (quadratic when 100,000 enter at once).
        new(1300, "journeys", """
            CREATE TABLE journeys (
              id {id},
              name TEXT NOT NULL UNIQUE,
              status TEXT NOT NULL,
              version BIGINT NOT NULL,
              created_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL);
            CREATE TABLE journey_versions (
              journey_id BIGINT NOT NULL REFERENCES journeys (id),
              version BIGINT NOT NULL,
              definition TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              PRIMARY KEY (journey_id, version));
            CREATE TABLE journey_enrolments (
              id {id},
              journey_id BIGINT NOT NULL REFERENCES journeys (id),
              version BIGINT NOT NULL,
              customer_id BIGINT NOT NULL,
              occurrence TEXT NOT NULL,
              control BIGINT NOT NULL,
              status TEXT NOT NULL,
              step TEXT NULL,
              moves BIGINT NOT NULL,
              entered_at BIGINT NOT NULL,
              updated_at BIGINT NOT NULL,
              ended_at BIGINT NULL,
              exit_reason TEXT NULL,
              UNIQUE (journey_id, customer_id, occurrence));
            CREATE INDEX ix_journey_enrolments_customer ON journey_enrolments (customer_id, journey_id, status);
            CREATE INDEX ix_journey_enrolments_journey ON journey_enrolments (journey_id, status);
            CREATE TABLE journey_timers (
              enrolment_id BIGINT PRIMARY KEY REFERENCES journey_enrolments (id),
              due_at BIGINT NOT NULL);
            CREATE INDEX ix_journey_timers_due ON journey_timers (due_at);
            CREATE TABLE journey_steps (
              enrolment_id BIGINT NOT NULL REFERENCES journey_enrolments (id),
              move BIGINT NOT NULL,
              step TEXT NOT NULL,
              type TEXT NOT NULL,
              outcome TEXT NOT NULL,
              detail TEXT NULL,
              taken_at BIGINT NOT NULL,
              PRIMARY KEY (enrolment_id, move, step));
            CREATE TABLE journey_tasks (
              id {id},
              task_key TEXT NOT NULL UNIQUE,
              journey_id BIGINT NOT NULL,
              customer_id BIGINT NOT NULL,
              title TEXT NOT NULL,
              assignee TEXT NULL,
              status TEXT NOT NULL,
              due_at BIGINT NULL,
              created_at BIGINT NOT NULL);
            CREATE INDEX ix_journey_tasks_status ON journey_tasks (status, due_at);
            CREATE TABLE journey_cursors (
              name TEXT PRIMARY KEY,
              position BIGINT NOT NULL);
            """),
    ];
}
