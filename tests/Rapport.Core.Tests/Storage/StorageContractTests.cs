using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

/// <summary>The storage seam behaves the same on SQLite and PostgreSQL: every test runs on both.</summary>
public sealed partial class StorageContractTests
{
    private const string ScratchTable = """
        CREATE TABLE scratch (
          id BIGINT PRIMARY KEY,
          name TEXT NULL,
          amount_e4 BIGINT NULL,
          ratio DOUBLE PRECISION NULL,
          small INTEGER NULL)
        """;

    private static readonly string[] ScratchColumns = ["id", "name", "amount_e4", "ratio", "small"];

    [Theory, BothStores]
    public async Task MigrateAsync_EmptyStore_CreatesEveryTable(StoreKind store)
    {
        await using var db = await TestStores.CreateEmptyAsync(store);

        var applied = await SchemaMigrator.MigrateAsync(db);

        Assert.Equal(Schema.All.Count, applied);
        await using var connection = await db.OpenAsync();
        var tables = Schema.All.SelectMany(m => CreateTable().Matches(m.Sql)).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(tables);
        foreach (var table in tables)
        {
            // Throws if the table is missing; an empty table counts 0 in both stores.
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));
        }
    }

    [Theory, BothStores]
    public async Task MigrateAsync_SecondRun_AppliesNothing(StoreKind store)
    {
        await using var db = await TestStores.CreateEmptyAsync(store);
        await SchemaMigrator.MigrateAsync(db);

        var second = await SchemaMigrator.MigrateAsync(db);

        Assert.Equal(0, second);
        await using var connection = await db.OpenAsync();
        var versions = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(Schema.All.Select(m => (long)m.Version).Order(), versions);
    }

    [Theory, BothStores]
    public async Task MigrateAsync_FailingStep_KeepsEarlierStepsAndRollsBackTheFailedOne(StoreKind store)
    {
        await using var db = await TestStores.CreateEmptyAsync(store);
        Migration[] steps =
        [
            new(1, "first", "CREATE TABLE first_table (id {id}, name TEXT NOT NULL);"),
            new(2, "broken", "CREATE TABLE second_table (id BIGINT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);"),
        ];

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, steps));

        Assert.Contains("Migration 2 (broken)", error.Message, StringComparison.Ordinal);
        await using var connection = await db.OpenAsync();
        Assert.Equal([1L], await connection.QueryAsync<long>("SELECT version FROM schema_migrations"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM first_table"));
        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM second_table"));
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_LongStringDoubleAndNull_RoundTrip(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        object?[][] rows =
        [
            [long.MaxValue, "Zoë 🎁 \"quoted\" ; 'x'", long.MinValue, 0.1, 7],
            [2L, "", 0L, -1.5e300, null],
            [3L, null, null, null, null],
        ];

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await db.Dialect.BulkInsertAsync(connection, tx, "scratch", ScratchColumns, rows);
            await tx.CommitAsync();
        }

        var back = (await connection.QueryAsync<ScratchRow>(
            "SELECT id AS Id, name AS Name, amount_e4 AS AmountE4, ratio AS Ratio, small AS Small FROM scratch ORDER BY id")).ToList();
        Assert.Equal(
            [
                new ScratchRow { Id = 2, Name = "", AmountE4 = 0, Ratio = -1.5e300 },
                new ScratchRow { Id = 3 },
                new ScratchRow { Id = long.MaxValue, Name = "Zoë 🎁 \"quoted\" ; 'x'", AmountE4 = long.MinValue, Ratio = 0.1, Small = 7 },
            ],
            back);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_TransactionRolledBack_LeavesNoRows(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await db.Dialect.BulkInsertAsync(
                connection, tx, "scratch", ["id", "name"], Enumerable.Range(1, 1000).Select(i => new object?[] { (long)i, $"row {i}" }));
            Assert.Equal(1000L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch", transaction: tx));
            await tx.RollbackAsync();
        }

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch"));
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_IntShortAndBool_StoredAsIntegers(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await db.Dialect.BulkInsertAsync(connection, tx, "scratch", ["id", "amount_e4", "small", "name"],
                [[1, (short)5, true, 42L], [2, false, 123456, 7]]);
            await tx.CommitAsync();
        }

        var back = (await connection.QueryAsync<(long Id, long Amount, long Small, string Name)>(
            "SELECT id, amount_e4, small, name FROM scratch ORDER BY id")).ToList();
        Assert.Equal([(1L, 5L, 1L, "42"), (2L, 0L, 123456L, "7")], back);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_DecimalValue_ThrowsArgumentException(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        await using var tx = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            db.Dialect.BulkInsertAsync(connection, tx, "scratch", ["id", "amount_e4"], [[1L, 12.5m]]));

        Assert.Contains("Money.ToStorage", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_TextIntoBigintColumn_ThrowsArgumentException(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        await using var tx = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            db.Dialect.BulkInsertAsync(connection, tx, "scratch", ["id", "amount_e4"], [[1L, "12"]]));

        Assert.Contains("scratch.amount_e4", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_RowShorterThanColumns_ThrowsArgumentException(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        await using var tx = await connection.BeginTransactionAsync();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            db.Dialect.BulkInsertAsync(connection, tx, "scratch", ["id", "name"], [[1L]]));
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_UnknownColumn_ThrowsArgumentException(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        await using var tx = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            db.Dialect.BulkInsertAsync(connection, tx, "scratch", ["id", "nope"], [[1L, 2L]]));

        Assert.Contains("no column nope", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task BulkInsertAsync_MigratedTable_AppendsAndCountsByIdentity(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        string[] columns = ["message_id", "type", "channel", "customer_id", "id_kind", "id_value", "occurred_at", "received_at", "properties"];
        var at = UnixTime.ToStorage(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await db.Dialect.BulkInsertAsync(connection, tx, "events", columns,
                Enumerable.Range(0, 500).Select(i => new object?[] { $"m{i}", "track", "web", 1L, "user_id", "u1", at + i, at + i, "{}" }));
            await tx.CommitAsync();
        }

        var (count, first, last) = await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at) FROM events WHERE customer_id = @c", new { c = 1L });
        Assert.Equal((500L, at, at + 499), (count, first, last));
        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO events (message_id, type, channel, customer_id, id_kind, id_value, occurred_at, received_at, properties) " +
            "VALUES ('next', 'track', 'web', 1, 'user_id', 'u1', 0, 0, '{}') RETURNING id");
        Assert.Equal(501L, id);
    }

    [Theory, BothStores]
    public async Task Money_StoredAndSummed_RoundTripsExactly(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        decimal[] amounts = [0.001m, 0m, 0.0001m, -12.3456m, 38970m, 922_337_203_685.4775m];
        await connection.ExecuteAsync(ScratchTable);
        for (var i = 0; i < amounts.Length; i++)
        {
            await connection.ExecuteAsync(
                "INSERT INTO scratch (id, amount_e4) VALUES (@id, @amount)", new { id = (long)i, amount = Money.ToStorage(amounts[i]) });
        }

        var back = (await connection.QueryAsync<long>("SELECT amount_e4 FROM scratch ORDER BY id")).Select(Money.FromStorage);
        // PostgreSQL's SUM(bigint) is numeric, SQLite's is an integer: both read back as long.
        var sum = await connection.ExecuteScalarAsync<long>("SELECT SUM(amount_e4) FROM scratch WHERE id < 5");
        var tiny = await connection.ExecuteScalarAsync<long>("SELECT SUM(amount_e4) FROM scratch WHERE id IN (0, 0, 2)");

        Assert.Equal(amounts, back);
        Assert.Equal(amounts.Take(5).Sum(), Money.FromStorage(sum));
        Assert.Equal(0.0011m, Money.FromStorage(tiny));
        Assert.Equal(10L, Money.ToStorage(0.001m));
    }

    [Theory, BothStores]
    public async Task InsertOnConflictDoNothing_DuplicateKey_ReturnsNoRowAndKeepsFirst(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        const string insert =
            "INSERT INTO api_keys (kind, name, prefix, hash, created_at) VALUES (@kind, @name, 'rk_', @hash, 0) " +
            "ON CONFLICT (hash) DO NOTHING RETURNING id";

        var first = await connection.QueryAsync<long>(insert, new { kind = "write", name = "first", hash = "h1" });
        var duplicate = await connection.QueryAsync<long>(insert, new { kind = "write", name = "second", hash = "h1" });
        var other = await connection.QueryAsync<long>(insert, new { kind = "write", name = "third", hash = "h2" });

        Assert.Equal([1L], first);
        Assert.Empty(duplicate);
        // Ids may have gaps (PostgreSQL spends one on the skipped row, SQLite does not): never
        // rely on ids being dense.
        Assert.True(Assert.Single(other) > 1);
        Assert.Equal("first", await connection.ExecuteScalarAsync<string>("SELECT name FROM api_keys WHERE hash = 'h1'"));
    }

    [Theory, BothStores]
    public async Task InsertOnConflictDoUpdate_NewerValue_ReturnsUpdatedRowAndIgnoresOlder(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        const string upsert =
            "INSERT INTO traits (customer_id, name, value, source, at) VALUES (1, 'plan', @value, 'api', @at) " +
            "ON CONFLICT (customer_id, name) DO UPDATE SET value = excluded.value, at = excluded.at WHERE excluded.at > traits.at " +
            "RETURNING value";

        var inserted = await connection.QueryAsync<string>(upsert, new { value = "gold", at = 10L });
        var newer = await connection.QueryAsync<string>(upsert, new { value = "platinum", at = 20L });
        var older = await connection.QueryAsync<string>(upsert, new { value = "silver", at = 15L });

        Assert.Equal(["gold"], inserted);
        Assert.Equal(["platinum"], newer);
        Assert.Empty(older);
        Assert.Equal("platinum", await connection.ExecuteScalarAsync<string>("SELECT value FROM traits WHERE customer_id = 1"));
    }

    [Theory, BothStores]
    public async Task IsUniqueViolation_DuplicatePrimaryKeyOrUniqueColumn_True(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO identifiers (kind, value, customer_id, first_seen_at) VALUES ('email', 'a@x', 1, 0)");
        await connection.ExecuteAsync("INSERT INTO api_keys (kind, name, prefix, hash, created_at) VALUES ('w', 'n', 'p', 'h', 0)");

        var primaryKey = await Record.ExceptionAsync(() => connection.ExecuteAsync(
            "INSERT INTO identifiers (kind, value, customer_id, first_seen_at) VALUES ('email', 'a@x', 2, 0)"));
        var unique = await Record.ExceptionAsync(() => connection.ExecuteAsync(
            "INSERT INTO api_keys (kind, name, prefix, hash, created_at) VALUES ('w', 'n2', 'p', 'h', 0)"));
        var notNull = await Record.ExceptionAsync(() => connection.ExecuteAsync(
            "INSERT INTO api_keys (kind, name, prefix, hash, created_at) VALUES ('w', NULL, 'p', 'h3', 0)"));

        Assert.True(db.Dialect.IsUniqueViolation(primaryKey!));
        Assert.True(db.Dialect.IsUniqueViolation(unique!));
        Assert.IsAssignableFrom<DbException>(notNull);
        Assert.False(db.Dialect.IsUniqueViolation(notNull!));
    }

    [Theory, BothStores]
    public async Task Insert_ForeignKeyToMissingRow_ThrowsInBoth(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE parent (id BIGINT PRIMARY KEY)");
        await connection.ExecuteAsync("CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parent (id))");
        await connection.ExecuteAsync("INSERT INTO parent (id) VALUES (1)");

        await connection.ExecuteAsync("INSERT INTO child (id, parent_id) VALUES (1, 1)");
        var orphan = await Record.ExceptionAsync(() => connection.ExecuteAsync("INSERT INTO child (id, parent_id) VALUES (2, 99)"));

        Assert.IsAssignableFrom<DbException>(orphan);
        Assert.False(db.Dialect.IsUniqueViolation(orphan));
    }

    [Theory, BothStores]
    public async Task OrderByText_MixedCaseAndAccents_SortsByCodePoint(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        string[] names = ["b", "é", "B", "a", "A", "Z", "ab"];
        for (var i = 0; i < names.Length; i++)
        {
            await connection.ExecuteAsync("INSERT INTO scratch (id, name) VALUES (@id, @name)", new { id = (long)i, name = names[i] });
        }

        var sorted = await connection.QueryAsync<string>("SELECT name FROM scratch ORDER BY name");

        Assert.Equal(["A", "B", "Z", "a", "ab", "b", "é"], sorted);
    }

    [Theory, BothStores]
    public async Task Like_DifferentCase_DoesNotMatchButLowerDoes(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(ScratchTable);
        await connection.ExecuteAsync("INSERT INTO scratch (id, name) VALUES (1, 'Apple'), (2, 'apple pie'), (3, 'ÉCLAIR')");

        var like = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch WHERE name LIKE @q", new { q = "app%" });
        var lower = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM scratch WHERE lower(name) LIKE lower(@q)", new { q = "APP%" });
        var accented = await connection.ExecuteScalarAsync<string>("SELECT lower(name) FROM scratch WHERE id = 3");

        Assert.Equal(1L, like);
        Assert.Equal(2L, lower);
        Assert.Equal("Éclair", accented); // lower() folds ASCII only, in both
    }

    [Theory, BothStores]
    public async Task IntegerArithmetic_DivisionAndNullConcat_SameResults(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        await using var connection = await db.OpenAsync();

        var row = await connection.QuerySingleAsync<(long Div, long Mod, string? Concat, long Coalesced)>(
            "SELECT 7 / 2, 7 % 3, 'a' || NULL, COALESCE(NULL, 5)");

        Assert.Equal((3L, 1L, (string?)null, 5L), row);
    }

    [Fact]
    public void Schema_All_HasUniqueVersions()
    {
        var duplicates = Schema.All.GroupBy(m => m.Version).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Split_CrLfLineEnds_SplitsLikeLf()
    {
        var statements = SchemaMigrator.Split("CREATE TABLE a (x BIGINT);\r\nCREATE TABLE b (y TEXT);\r\n");

        Assert.Equal(["CREATE TABLE a (x BIGINT)", "CREATE TABLE b (y TEXT)"], statements);
    }

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    private sealed record ScratchRow
    {
        public long Id { get; init; }

        public string? Name { get; init; }

        public long? AmountE4 { get; init; }

        public double? Ratio { get; init; }

        public long? Small { get; init; }
    }
}
