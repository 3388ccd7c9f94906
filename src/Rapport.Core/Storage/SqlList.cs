using Dapper;

namespace Rapport.Core.Storage;

/// <summary>
/// "column IN (@p0, @p1, …)" with one parameter per value. Dapper's list expansion differs by
/// provider (Npgsql gets an array), so portable SQL spells the list out.
/// </summary>
public static class SqlList
{
    public static string In<T>(string column, IReadOnlyList<T> values, DynamicParameters parameters, string prefix = "in")
    {
        if (values.Count == 0)
        {
            return "1 = 0";
        }

        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{prefix}{i}";
            parameters.Add($"{prefix}{i}", values[i]);
        }

        return $"{column} IN ({string.Join(", ", names)})";
    }
}
