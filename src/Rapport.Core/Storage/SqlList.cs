using Dapper;

namespace Rapport.Core.Storage;

/// <summary>
/// "column IN (@p0, @p1, …)" with one parameter per value. Dapper's list expansion differs by
/// provider (Npgsql gets an array), so portable SQL spells the list out.
/// </summary>
public static class SqlList
{
    public static string In<T>(string column, IReadOnlyList<T> values, DynamicParameters parameters, string prefix = "in") =>
        In(column, values.Count, prefix, (name, i) => parameters.Add(name, values[i]));

    /// <summary>The same, with the parameters added to a <see cref="RowCursor"/>'s list (see <see cref="SqlDialect.OpenCursor"/>).</summary>
    public static string In<T>(string column, IReadOnlyList<T> values, List<(string Name, object? Value)> parameters, string prefix = "in") =>
        In(column, values.Count, prefix, (name, i) => parameters.Add((name, values[i])));

    private static string In(string column, int count, string prefix, Action<string, int> add)
    {
        if (count == 0)
        {
            return "1 = 0";
        }

        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = $"@{prefix}{i}";
            add($"{prefix}{i}", i);
        }

        return $"{column} IN ({string.Join(", ", names)})";
    }
}
