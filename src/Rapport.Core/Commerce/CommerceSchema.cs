using Rapport.Core.Storage;

namespace Rapport.Core.Commerce;

internal static class CommerceSchema
{
    public static readonly Migration[] Migrations =
    [
        // Money columns (*_e4) are 1/10,000 currency units, see Money. An order's customer is
        // found through its identifier (id_kind, id_value) like an event's, so merges move it;
        // orders with no identifier are anonymous sales (kept, counted in revenue).
        // kind: 'sale' or 'return' (a cancellation invoice is a return with negative quantities).
        new(500, "commerce", """
            CREATE TABLE products (
              sku TEXT PRIMARY KEY,
              name TEXT NOT NULL,
              category TEXT NULL,
              price_e4 BIGINT NULL,
              unit_cost_e4 BIGINT NULL,
              currency TEXT NULL,
              available BIGINT NOT NULL DEFAULT 1,
              updated_at BIGINT NOT NULL);
            CREATE TABLE orders (
              order_id TEXT PRIMARY KEY,
              kind TEXT NOT NULL,
              customer_id BIGINT NULL,
              id_kind TEXT NULL,
              id_value TEXT NULL,
              channel TEXT NOT NULL,
              status TEXT NOT NULL,
              placed_at BIGINT NOT NULL,
              currency TEXT NULL,
              subtotal_e4 BIGINT NOT NULL,
              discount_e4 BIGINT NOT NULL,
              total_e4 BIGINT NOT NULL,
              source TEXT NOT NULL,
              message_id TEXT NULL);
            CREATE INDEX ix_orders_customer ON orders (customer_id, placed_at);
            CREATE INDEX ix_orders_identity ON orders (id_kind, id_value);
            CREATE TABLE order_lines (
              order_id TEXT NOT NULL,
              line_no BIGINT NOT NULL,
              sku TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              unit_price_e4 BIGINT NOT NULL,
              discount_e4 BIGINT NOT NULL,
              PRIMARY KEY (order_id, line_no));
            CREATE INDEX ix_order_lines_sku ON order_lines (sku);
            CREATE TABLE cart_items (
              customer_id BIGINT NOT NULL,
              sku TEXT NOT NULL,
              quantity BIGINT NOT NULL,
              unit_price_e4 BIGINT NULL,
              updated_at BIGINT NOT NULL,
              PRIMARY KEY (customer_id, sku));
            CREATE TABLE carts (
              customer_id BIGINT PRIMARY KEY,
              status TEXT NOT NULL,
              updated_at BIGINT NOT NULL,
              abandoned_at BIGINT NULL);
            """),
    ];
}
