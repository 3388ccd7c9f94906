using System.Globalization;
using Microsoft.Data.Sqlite;
using Rapport.Core.Storage;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Decisions;

/// <summary>Sizes of the seeded store.</summary>
internal sealed record SeedSize(int Customers, int Products, long Events)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Customers:N0} customers, {Products:N0} products, {Events:N0} events");
}

/// <summary>
/// Seeds a SQLite store for the decision scenario with bulk SQL (prepared inserts, one
/// transaction per chunk, synchronous off), not through HTTP: the point is to measure reads
/// against a big store, and ingesting 10M events through the API would take the whole budget.
/// Each customer has an email identifier, a first name, marketing granted on the web (one
/// consent row), product views spread over the last 90 days (events, each naming one of the
/// products, popularity skewed like a real shop), and one in five an order of two lines.
/// </summary>
internal static class DecisionSeed
{
    private const int Categories = 500;

    public static async Task SeedAsync(string path, SeedSize size, long now)
    {
        await using (var db = new SqliteDatabase(path))
        {
            await SchemaMigrator.MigrateAsync(db);
        }

        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        Exec(c, "PRAGMA synchronous=OFF; PRAGMA cache_size=-400000;");
        var random = new Random(17);

        Bulk(c, "INSERT INTO products (sku, name, category, price_e4, unit_cost_e4, currency, available, updated_at) VALUES ($1, $2, $3, $4, $5, 'GBP', $6, 0)",
            size.Products, (cmd, i) =>
            {
                long price = (5 + (i % 95)) * 10_000L;
                Set(cmd, $"p{i}", $"Product {i}", $"cat{i % Categories}", price, price * 6 / 10, i % 100 == 99 ? 0L : 1L);
            });

        Bulk(c, "INSERT INTO customers (id, created_at) VALUES ($1, 0)", size.Customers, (cmd, i) => Set(cmd, i + 1L));
        Bulk(c, "INSERT INTO identifiers (kind, value, customer_id, first_seen_at) VALUES ('email', $1, $2, 0)", size.Customers, (cmd, i) => Set(cmd, Email(i), i + 1L));
        Bulk(c, "INSERT INTO traits (customer_id, name, value, source, at) VALUES ($1, 'firstName', $2, 'bench', 0)", size.Customers, (cmd, i) => Set(cmd, i + 1L, $"Name{i}"));
        Bulk(c, "INSERT INTO consent_ledger (id_kind, id_value, item, value, source, message_id, at, recorded_at) VALUES ('email', $1, 'marketing.web', 'granted', 'bench', $2, 0, 0)",
            size.Customers, (cmd, i) => Set(cmd, Email(i), $"consent-{i}"));

        // Orders: one customer in five, two lines each.
        int ordered = size.Customers / 5;
        Bulk(c, """
            INSERT INTO orders (order_id, kind, customer_id, id_kind, id_value, channel, status, placed_at, currency, subtotal_e4, discount_e4, total_e4, source)
            VALUES ($1, 'sale', $2, 'email', $3, 'web', 'completed', $4, 'GBP', 200000, 0, 200000, 'bench')
            """, ordered, (cmd, i) => Set(cmd, $"o{i}", i * 5 + 1L, Email(i * 5), now - random.NextInt64(90L * 86_400_000)));
        Bulk(c, "INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_e4, discount_e4) VALUES ($1, $2, $3, 1, 100000, 0)",
            ordered * 2, (cmd, i) => Set(cmd, $"o{i / 2}", (long)(i % 2), $"p{Product(random, size.Products)}"));

        // Events, in time order per chunk so the message_id and time indexes grow at the end.
        Bulk(c, """
            INSERT INTO events (message_id, type, name, channel, customer_id, id_kind, id_value, occurred_at, received_at, properties)
            VALUES ($1, 'track', 'Product Viewed', 'web', $2, 'email', $3, $4, $4, $5)
            """, size.Events, (cmd, n) =>
            {
                int customer = random.Next(size.Customers);
                int p = Product(random, size.Products);
                long at = now - (90L * 86_400_000) + (n * (90L * 86_400_000) / Math.Max(1, size.Events));
                Set(cmd, $"e{n:D10}", customer + 1L, Email(customer), at, $"{{\"sku\":\"p{p}\",\"name\":\"Product {p}\",\"category\":\"cat{p % Categories}\",\"price\":{5 + (p % 95)}}}");
            });
        Exec(c, "ANALYZE;");
    }

    private static string Email(int i) => $"c{i}@example.com";

    /// <summary>Skewed: a quarter of the views go to the first 1% of products.</summary>
    private static int Product(Random random, int products) =>
        random.NextDouble() < 0.25 ? random.Next(Math.Max(1, products / 100)) : random.Next(products);

    private static void Bulk(SqliteConnection c, string sql, long count, Action<SqliteCommand, long> bind)
    {
        const int chunk = 200_000;
        for (long start = 0; start < count; start += chunk)
        {
            using var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            for (long i = start; i < Math.Min(count, start + chunk); i++)
            {
                cmd.Parameters.Clear();
                bind(cmd, i);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    private static void Bulk(SqliteConnection c, string sql, int count, Action<SqliteCommand, int> bind) =>
        Bulk(c, sql, (long)count, (cmd, i) => bind(cmd, (int)i));

    private static void Set(SqliteCommand cmd, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            cmd.Parameters.AddWithValue($"${i + 1}", values[i]);
        }
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
