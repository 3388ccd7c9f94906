using Rapport.Core.Storage;

namespace Rapport.Core.Identity;

internal static class IdentitySchema
{
    public static readonly Migration[] Migrations =
    [
        // identity_links are the edges (one row per pair, keeping the earliest sighting) of the identity graph, one per pair of identifiers an
        // event carried together. Customers are the graph's components, recomputed from the
        // edges in timestamp order whenever arrival order could matter.
        new(300, "identity graph", """
            CREATE TABLE customers (
              id {id},
              created_at BIGINT NOT NULL,
              merged_into BIGINT NULL);
            CREATE TABLE identifiers (
              kind TEXT NOT NULL,
              value TEXT NOT NULL,
              customer_id BIGINT NOT NULL,
              first_seen_at BIGINT NOT NULL,
              PRIMARY KEY (kind, value));
            CREATE INDEX ix_identifiers_customer ON identifiers (customer_id);
            CREATE TABLE identity_links (
              id {id},
              a_kind TEXT NOT NULL,
              a_value TEXT NOT NULL,
              b_kind TEXT NOT NULL,
              b_value TEXT NOT NULL,
              at BIGINT NOT NULL,
              message_id TEXT NOT NULL,
              explicit BIGINT NOT NULL,
              disabled_at BIGINT NULL);
            CREATE UNIQUE INDEX ux_identity_links ON identity_links (a_kind, a_value, b_kind, b_value);
            CREATE INDEX ix_identity_links_b ON identity_links (b_kind, b_value);
            CREATE TABLE merges (
              id {id},
              survivor_id BIGINT NOT NULL,
              absorbed_id BIGINT NOT NULL,
              at BIGINT NOT NULL,
              message_id TEXT NULL,
              reason TEXT NOT NULL,
              identifiers TEXT NOT NULL,
              undone_at BIGINT NULL);
            CREATE INDEX ix_merges_survivor ON merges (survivor_id);
            """),
    ];
}
