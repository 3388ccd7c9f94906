using System.Text;
using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

/// <summary>
/// The index behind name and email search. Each searchable trait value is stored lowercased
/// (ASCII letters only, as SQLite's and PostgreSQL's C-locale LOWER do) once from its start and
/// once from every word start after a space, '@', '.', '-', '_' or ''': "Grace Hopper" gives
/// "grace hopper" and "hopper"; "grace@navy.mil" gives "grace@navy.mil", "navy.mil" and "mil".
/// A search is then a prefix range on the primary key (byte order in both stores), so it costs
/// the matches, not the customers.
/// </summary>
public static class CustomerSearch
{
    public static readonly IReadOnlyList<string> Traits = ["name", "firstName", "lastName", "email"];

    /// <summary>Longer values are indexed by their first characters (the migration's SUBSTR does the same).</summary>
    public const int MaxTermLength = 100;

    /// <summary>Lowercases ASCII letters only and folds runs of white space to one space, like the stores' LOWER on the other side.</summary>
    public static string Normalize(string text)
    {
        var b = new StringBuilder(text.Length);
        foreach (var ch in text.Trim())
        {
            if (char.IsWhiteSpace(ch))
            {
                if (b.Length > 0 && b[^1] != ' ')
                {
                    b.Append(' ');
                }
            }
            else
            {
                b.Append(ch is >= 'A' and <= 'Z' ? (char)(ch + 32) : ch);
            }
        }

        return b.ToString();
    }

    /// <summary>The terms one value is found by: the whole value and every suffix starting at a word.</summary>
    public static IReadOnlyList<string> TermsOf(string value)
    {
        var v = Normalize(value);
        var terms = new List<string>();
        for (int i = 0; i < v.Length; i++)
        {
            if (i == 0 || (IsBreak(v[i - 1]) && !IsBreak(v[i])))
            {
                var term = v[i..];
                terms.Add(term.Length > MaxTermLength ? term[..MaxTermLength] : term);
            }
        }

        return terms.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The half-open range [from, to) of terms that start with <paramref name="prefix"/> (already normalized, not empty).</summary>
    public static (string From, string To) Range(string prefix)
    {
        var last = prefix[^1];
        // UTF-8 byte order is code-point order, so the next code unit bounds the prefix; near the
        // surrogates (no valid next unit) the highest BMP character does.
        var to = last < 0xD7FF ? prefix[..^1] + (char)(last + 1) : prefix + '\uFFFF';
        return (prefix.Length > MaxTermLength ? prefix[..MaxTermLength] : prefix, to);
    }

    /// <summary>Re-indexes one trait of one customer from its current value (after the traits upsert, in the same transaction).</summary>
    internal static async Task IndexAsync(UnitOfWork unit, long customer, string trait)
    {
        await unit.Statement("DELETE FROM customer_search WHERE customer_id = @customer AND trait = @trait", "@customer", "@trait")
            .ExecuteAsync(customer, trait);
        var value = await unit.Statement("SELECT value FROM traits WHERE customer_id = @customer AND name = @trait", "@customer", "@trait")
            .ScalarAsync(customer, trait) as string;
        foreach (var term in value is null ? [] : TermsOf(value))
        {
            await unit.Statement(
                "INSERT INTO customer_search (term, customer_id, trait) VALUES (@term, @customer, @trait) ON CONFLICT (term, customer_id, trait) DO NOTHING",
                "@term", "@customer", "@trait")
                .ExecuteAsync(term, customer, trait);
        }
    }

    /// <summary>Rows for a bulk load (imports, benchmarks) that write traits directly.</summary>
    public static IEnumerable<object?[]> Rows(long customer, string trait, string value) =>
        TermsOf(value).Select(t => new object?[] { t, customer, trait });

    private static bool IsBreak(char c) => c is ' ' or '@' or '.' or '-' or '_' or '\'';
}
