using System.Globalization;
using Rapport.Engine.Clv;

namespace Rapport.Cli;

/// <summary>Where the transactions are and how to read them.</summary>
internal sealed record ClvTransactionFile(
    string Path, string CustomerColumn, string DateColumn, string AmountColumn, string? DateFormat, string Delimiter)
{
    private static readonly string[] DefaultDateFormats = ["yyyy-MM-dd", "yyyyMMdd", "yyyy/MM/dd"];

    /// <summary>
    /// Reads every row into a <see cref="Transaction"/>. A small hand-written reader: the file needs
    /// a header row; fields may be quoted ("a,b" and "" escapes) unless the delimiter is whitespace,
    /// which is how CDNOW_master.txt is laid out. Throws <see cref="UsageException"/> naming the line.
    /// </summary>
    public List<Transaction> Read()
    {
        char? separator = ParseDelimiter(Delimiter);
        using var reader = new StreamReader(Path);
        string? header = reader.ReadLine();
        if (header is null)
        {
            throw new UsageException($"{Path} is empty; it needs a header row and one transaction per line.");
        }

        var names = Split(header, separator).Select(n => n.Trim()).ToList();
        int customer = Column(names, CustomerColumn, "--customer-column");
        int date = Column(names, DateColumn, "--date-column");
        int amount = Column(names, AmountColumn, "--amount-column");
        int needed = Math.Max(customer, Math.Max(date, amount)) + 1;

        var result = new List<Transaction>();
        int lineNumber = 1;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = Split(line, separator);
            if (fields.Count < needed)
            {
                throw new UsageException(
                    $"Line {lineNumber} of {Path} has {fields.Count} fields but the header has {names.Count}; check --delimiter (now '{Delimiter}') and quoting.");
            }

            string id = fields[customer].Trim();
            if (id.Length == 0)
            {
                throw new UsageException($"Line {lineNumber} of {Path} has an empty customer id in column '{CustomerColumn}'.");
            }

            result.Add(new Transaction(id, ParseDate(fields[date].Trim(), lineNumber), ParseAmount(fields[amount].Trim(), lineNumber)));
        }

        if (result.Count == 0)
        {
            throw new UsageException($"{Path} has a header but no transactions.");
        }

        return result;
    }

    private int Column(List<string> names, string wanted, string option)
    {
        int i = names.FindIndex(n => string.Equals(n, wanted, StringComparison.OrdinalIgnoreCase));
        if (i < 0)
        {
            throw new UsageException(
                $"Column '{wanted}' is not in {Path}; the header has: {string.Join(", ", names)}. Pass the right name with {option}{(names.Count == 1 ? " or set --delimiter" : "")}.");
        }

        return i;
    }

    private DateOnly ParseDate(string value, int lineNumber)
    {
        if (DateFormat is not null)
        {
            if (DateOnly.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact))
            {
                return exact;
            }

            throw new UsageException(
                $"Line {lineNumber} of {Path}: date '{value}' does not match --date-format {DateFormat}; fix the value or the format.");
        }

        if (DateOnly.TryParseExact(value, DefaultDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        // Timestamps (ISO 8601 with an offset, as exports usually have) count on their UTC day.
        if (value.Length > 10 && DateTimeOffset.TryParse(
                value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts))
        {
            return DateOnly.FromDateTime(ts.UtcDateTime);
        }

        throw new UsageException(
            $"Line {lineNumber} of {Path}: cannot read date '{value}' (tried yyyy-MM-dd, yyyyMMdd, yyyy/MM/dd and ISO 8601 timestamps); pass --date-format, e.g. --date-format dd/MM/yyyy.");
    }

    private decimal ParseAmount(string value, int lineNumber)
    {
        if (decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return amount;
        }

        throw new UsageException(
            $"Line {lineNumber} of {Path}: amount '{value}' in column '{AmountColumn}' is not a number; use a dot for decimals and no currency sign.");
    }

    private static char? ParseDelimiter(string delimiter) => delimiter.ToLowerInvariant() switch
    {
        "whitespace" or "space" => null,
        "tab" or "\\t" or "\t" => '\t',
        "comma" or "," => ',',
        "semicolon" or ";" => ';',
        "pipe" or "|" => '|',
        _ => throw new UsageException(
            $"--delimiter '{delimiter}' is not supported; use ',', ';', '|', tab or whitespace (runs of spaces, as in CDNOW_master.txt)."),
    };

    private static List<string> Split(string line, char? separator)
    {
        if (separator is not { } sep)
        {
            return [.. line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
        }

        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == sep)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
