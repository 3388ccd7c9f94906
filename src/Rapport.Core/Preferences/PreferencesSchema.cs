using Rapport.Core.Storage;

namespace Rapport.Core.Preferences;

/// <summary>The preference centre and progressive profiling (issue 5 items 1 and 3) own 1350-1399.</summary>
internal static class PreferencesSchema
{
    public static readonly Migration[] Migrations =
    [
        // profiling_asks: every question put to a customer (so the same one is not asked again
        // too soon), filed under the customer's identifier like consent rows and decisions, so
        // the history follows merges. erasure_requests: a customer's request to be forgotten,
        // pending until staff (or `POST /v1/erasure-requests/{id}/complete`) carry it out.
        new(1350, "preferences", """
            CREATE TABLE profiling_asks (
              id {id},
              id_kind TEXT NOT NULL,
              id_value TEXT NOT NULL,
              question TEXT NOT NULL,
              channel TEXT NOT NULL,
              asked_at BIGINT NOT NULL);
            CREATE INDEX ix_profiling_asks_identifier ON profiling_asks (id_kind, id_value, asked_at);
            CREATE TABLE erasure_requests (
              id {id},
              customer_id BIGINT NOT NULL,
              source TEXT NOT NULL,
              status TEXT NOT NULL,
              requested_at BIGINT NOT NULL,
              completed_at BIGINT NULL,
              note TEXT NULL);
            CREATE INDEX ix_erasure_requests_status ON erasure_requests (status, id);
            CREATE INDEX ix_erasure_requests_customer ON erasure_requests (customer_id);
            """),
    ];
}
