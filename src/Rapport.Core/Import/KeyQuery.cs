using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>
/// "WHERE key IN (...)" over thousands of keys as ONE parameter: a JSON array read with
/// json_each on SQLite, an array with unnest on PostgreSQL. Spelling the list out as @k0, @k1…
/// costs O(n²) in parameter binding (both Dapper and SQLite look names up linearly): 5,000 keys
/// took ~8 ms a query that way, against well under 1 ms like this.
/// </summary>
internal static class KeyQuery
{
    private const int ChunkSize = 10_000;

    /// <summary>
    /// Runs <paramref name="sql"/> (which contains the token {keys}, and may use the named
    /// <paramref name="parameters"/>) once per chunk of keys and concatenates the rows.
    /// Keys are strings or longs.
    /// </summary>
    public static async Task<List<T>> QueryAsync<T, TKey>(UnitOfWork unit, string sql, IEnumerable<TKey> keys, object? parameters = null)
    {
        var postgres = unit.Dialect.Name == "postgres";
        var text = sql.Replace("{keys}", postgres ? "(SELECT unnest(@keys))" : "(SELECT value FROM json_each(@keys))", StringComparison.Ordinal);
        var result = new List<T>();
        foreach (var chunk in keys.Chunk(ChunkSize))
        {
            var all = new DynamicParameters(parameters);
            all.Add("keys", postgres ? chunk : JsonSerializer.Serialize(chunk));
            result.AddRange(await unit.Connection.QueryAsync<T>(text, all, unit.Transaction));
        }

        return result;
    }
}
