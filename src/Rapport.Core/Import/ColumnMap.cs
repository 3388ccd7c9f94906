using System.Text;

namespace Rapport.Core.Import;

/// <summary>A value an import needs and the header names it is recognised by.</summary>
public sealed record ImportField(string Target, bool Required, params string[] Aliases);

/// <summary>
/// Which column holds each target field. Header names match an alias when they are equal once
/// case and everything but letters and digits are ignored ("Stock Code", "stock_code" and
/// "StockCode" are one name). <c>--map target=Column</c> wins over the aliases;
/// <c>--map target=</c> (empty) turns a target off.
/// </summary>
public sealed class ColumnMap
{
    private readonly Dictionary<string, int> _columns;

    private ColumnMap(IReadOnlyList<string> header, Dictionary<string, int> columns)
    {
        Header = header;
        _columns = columns;
    }

    public IReadOnlyList<string> Header { get; }

    /// <summary>Target → column index, in target order.</summary>
    public IReadOnlyDictionary<string, int> Columns => _columns;

    public bool Has(string target) => _columns.ContainsKey(target);

    public int IndexOf(string target) => _columns.TryGetValue(target, out var i) ? i : -1;

    /// <summary>The trimmed value of <paramref name="target"/> in a record, or null when unmapped or empty.</summary>
    public string? Get(string[] fields, string target)
    {
        if (!_columns.TryGetValue(target, out var i) || i >= fields.Length)
        {
            return null;
        }

        var v = fields[i].AsSpan().Trim();
        return v.Length == 0 ? null : v.Length == fields[i].Length ? fields[i] : v.ToString();
    }

    /// <summary>
    /// Resolves every field against the header. Targets not in <paramref name="fields"/> are
    /// accepted from <paramref name="overrides"/> only when <paramref name="openTargets"/> is
    /// true (customer traits). Throws <see cref="ImportInputException"/> naming what is missing,
    /// the columns found and the option that fixes it.
    /// </summary>
    public static ColumnMap Resolve(
        string what,
        IReadOnlyList<string> header,
        IReadOnlyList<ImportField> fields,
        IReadOnlyDictionary<string, string> overrides,
        bool openTargets = false)
    {
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            byKey.TryAdd(Key(header[i]), i);
        }

        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (target, source) in overrides)
        {
            var known = fields.Any(f => f.Target == target);
            if (!known && !openTargets)
            {
                throw new ImportInputException(
                    $"--map {target}={source}: '{target}' is not a {what} field. Fields: {string.Join(", ", fields.Select(f => f.Target))}.");
            }

            if (source.Length == 0)
            {
                continue;
            }

            if (!byKey.TryGetValue(Key(source), out var index))
            {
                throw new ImportInputException(
                    $"--map {target}={source}: there is no column '{source}'. Columns found: {Found(header)}.");
            }

            columns[target] = index;
        }

        var missing = new List<ImportField>();
        foreach (var field in fields)
        {
            if (columns.ContainsKey(field.Target))
            {
                continue;
            }

            if (overrides.ContainsKey(field.Target))
            {
                if (field.Required)
                {
                    missing.Add(field);
                }

                continue;
            }

            var hit = field.Aliases.Prepend(field.Target).Select(a => byKey.TryGetValue(Key(a), out var i) ? i : -1).FirstOrDefault(i => i >= 0, -1);
            if (hit >= 0 && !columns.ContainsValue(hit))
            {
                columns[field.Target] = hit;
            }
            else if (field.Required)
            {
                missing.Add(field);
            }
        }

        if (missing.Count > 0)
        {
            var names = string.Join(", ", missing.Select(f => $"'{f.Target}' (looked for {string.Join(", ", f.Aliases.Prepend(f.Target).Distinct())})"));
            var fix = string.Join(" ", missing.Select(f => $"--map {f.Target}=COLUMN"));
            throw new ImportInputException($"No column for {names}. Columns found: {Found(header)}. Map them with {fix}.");
        }

        var ordered = columns.OrderBy(c => c.Value).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return new ColumnMap(header, ordered);
    }

    /// <summary>Lower-case letters and digits only: the form header names are compared in.</summary>
    public static string Key(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Trait names as Segment spells them: "First Name", "first_name" and "firstName" all
    /// become "firstName"; "CustomerID" becomes "customerId".
    /// </summary>
    public static string CamelCase(string name)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var previous = '\0';
        foreach (var c in name.Trim())
        {
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
            }
            else
            {
                if (char.IsUpper(c) && (char.IsLower(previous) || char.IsDigit(previous)))
                {
                    Flush();
                }

                word.Append(c);
            }

            previous = c;
        }

        Flush();
        var sb = new StringBuilder(name.Length);
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i].ToLowerInvariant();
            sb.Append(i == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]);
        }

        return sb.ToString();

        void Flush()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
    }

    private static string Found(IReadOnlyList<string> header) =>
        header.Count == 0 ? "(none)" : string.Join(", ", header.Select(h => h.Length == 0 ? "(blank)" : h));
}
