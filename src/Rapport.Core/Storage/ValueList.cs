using System.Text.Json;

namespace Rapport.Core.Storage;

/// <summary>
/// Many keys as ONE statement parameter, for <c>WHERE x IN (...)</c> over thousands of keys
/// (a batch's message ids, identifiers, customers). SQLite reads a JSON array with json_each,
/// PostgreSQL a native array with unnest. One parameter keeps the SQL text constant, so it is
/// planned once, and avoids Dapper's expanded IN lists: one named parameter per key, which
/// SQLite binds by a linear name search each (quadratic in the list length).
/// </summary>
public static class ValueList
{
    /// <summary>A subquery yielding the values of <paramref name="parameter"/>, e.g. <c>x IN {Sql(d, "@ids")}</c>.</summary>
    public static string Sql(SqlDialect dialect, string parameter) =>
        IsSqlite(dialect) ? $"(SELECT value FROM json_each({parameter}))" : $"(SELECT unnest({parameter}))";

    public static object Of(SqlDialect dialect, IReadOnlyCollection<string> values) =>
        IsSqlite(dialect) ? JsonSerializer.Serialize(values) : values.ToArray();

    public static object Of(SqlDialect dialect, IReadOnlyCollection<long> values) =>
        IsSqlite(dialect) ? JsonSerializer.Serialize(values) : values.ToArray();

    private static bool IsSqlite(SqlDialect dialect) => dialect.Name == "sqlite";
}
