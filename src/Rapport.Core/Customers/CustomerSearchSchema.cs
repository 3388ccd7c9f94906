using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

/// <summary>Issue 7 (dashboard) owns 1010-1019: the name/email search index (<see cref="CustomerSearch"/>).</summary>
internal static class CustomerSearchSchema
{
    public static readonly Migration[] Migrations =
    [
        // One row per (term, customer, trait); the primary key is the prefix index. A store that
        // already has traits gets each whole value here (SQL has no portable word split); word
        // terms come as a customer's traits are written again (an identify, a merge's rebuild).
        new(1010, "customer search terms", """
            CREATE TABLE customer_search (
              term TEXT NOT NULL,
              customer_id BIGINT NOT NULL,
              trait TEXT NOT NULL,
              PRIMARY KEY (term, customer_id, trait));
            CREATE INDEX ix_customer_search_customer ON customer_search (customer_id, trait);
            INSERT INTO customer_search (term, customer_id, trait)
              SELECT SUBSTR(LOWER(value), 1, 100), customer_id, name FROM traits
              WHERE name IN ('name', 'firstName', 'lastName', 'email');
            """),
    ];
}
