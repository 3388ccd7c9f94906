using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>
/// "WHERE key IN (...)" over many keys, portable: the list is spelled out as parameters
/// (@k0, @k1, ...) because Dapper passes a list to Npgsql as one array parameter, which
/// PostgreSQL rejects after IN. 5,000 keys per query stays under SQLite's 32,766-variable cap.
/// </summary>
internal static class KeyQuery
{
    private const int ChunkSize = 5000;

    /// <summary>Runs <paramref name="sql"/> (which contains the token {keys}) once per chunk of keys and concatenates the rows.</summary>
    public static async Task<List<T>> QueryAsync<T, TKey>(UnitOfWork unit, string sql, IEnumerable<TKey> keys)
    {
        var result = new List<T>();
        foreach (var chunk in keys.Chunk(ChunkSize))
        {
            var parameters = new DynamicParameters();
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "@k" + i;
                parameters.Add("k" + i, chunk[i]);
            }

            var text = sql.Replace("{keys}", "(" + string.Join(",", names) + ")", StringComparison.Ordinal);
            result.AddRange(await unit.Connection.QueryAsync<T>(text, parameters, unit.Transaction));
        }

        return result;
    }
}
