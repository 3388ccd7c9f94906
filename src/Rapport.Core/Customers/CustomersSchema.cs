using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

internal static class CustomersSchema
{
    public static readonly Migration[] Migrations =
    [
        // traits holds the current value (latest by event time, so arrival order does not
        // matter); trait_history keeps every value with its source and time.
        new(400, "traits", """
            CREATE TABLE traits (
              customer_id BIGINT NOT NULL,
              name TEXT NOT NULL,
              value TEXT NOT NULL,
              source TEXT NOT NULL,
              at BIGINT NOT NULL,
              PRIMARY KEY (customer_id, name));
            CREATE INDEX ix_traits_search ON traits (name, value);
            CREATE TABLE trait_history (
              id {id},
              customer_id BIGINT NOT NULL,
              name TEXT NOT NULL,
              value TEXT NOT NULL,
              source TEXT NOT NULL,
              message_id TEXT NOT NULL,
              at BIGINT NOT NULL);
            CREATE INDEX ix_trait_history_customer ON trait_history (customer_id, name, at);
            """),
    ];
}
