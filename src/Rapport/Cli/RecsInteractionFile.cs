using System.Globalization;
using System.IO.Compression;
using Rapport.Core.Import;
using Rapport.Engine.Recommendations;

namespace Rapport.Cli;

/// <summary>Interactions read from a file, with the string ids behind the dense ints.</summary>
internal sealed record InteractionData(IdIndex<string> Users, IdIndex<string> Items, Interaction[] Rows);

/// <summary>
/// Reads `user,item,timestamp[,weight]` CSV (gzipped when the name ends in .gz). Columns are
/// found by header name (any order, case-insensitive; other columns are ignored). Timestamps
/// are unix seconds or ISO-8601 (`2011-12-09T12:50:00Z`, `2011-12-09 12:50:00`; no offset means
/// UTC). A bad row stops the read with its line number and what is wrong: a silently skipped
/// row would bias the model.
/// </summary>
internal static class RecsInteractionFile
{
    private static readonly string[] Formats =
        ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-ddK"];

    public static InteractionData Read(string path, Action<string>? progress = null)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--interactions {path} does not exist.");
        }

        using var stream = File.OpenRead(path);
        using var text = new StreamReader(path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(stream, CompressionMode.Decompress)
            : stream);
        var csv = new CsvReader(text);
        if (!csv.TryRead(out var header))
        {
            throw new InvalidDataException($"{path} is empty; it needs a header line user,item,timestamp (and optionally weight).");
        }

        var names = header.Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        int user = names.IndexOf("user"), item = names.IndexOf("item"), time = names.IndexOf("timestamp"), weight = names.IndexOf("weight");
        if (user < 0 || item < 0 || time < 0)
        {
            throw new InvalidDataException(
                $"{path} line 1: the header needs the columns user,item,timestamp (weight is optional); it has {string.Join(",", header.Fields)}.");
        }

        var users = new IdIndex<string>(StringComparer.Ordinal);
        var items = new IdIndex<string>(StringComparer.Ordinal);
        var rows = new List<Interaction>();
        int width = new[] { user, item, time, weight }.Max() + 1;
        while (csv.TryRead(out var record))
        {
            var f = record.Fields;
            string Where() => $"{path} line {record.Line}";
            if (record.Error is { } error)
            {
                throw new InvalidDataException($"{Where()}: {error}");
            }

            if (f.Length < width)
            {
                throw new InvalidDataException($"{Where()}: {f.Length} fields, the header has {header.Fields.Length}.");
            }

            string u = f[user].Trim(), i = f[item].Trim();
            if (u.Length == 0 || i.Length == 0)
            {
                throw new InvalidDataException($"{Where()}: the {(u.Length == 0 ? "user" : "item")} is empty.");
            }

            long at = ParseTime(f[time].Trim()) ?? throw new InvalidDataException(
                $"{Where()}: timestamp '{f[time]}' is neither unix seconds nor ISO-8601 (e.g. 2011-12-09T12:50:00Z or 2011-12-09 12:50:00).");
            float w = 1f;
            if (weight >= 0 && f[weight].Trim() is { Length: > 0 } weightText
                && (!float.TryParse(weightText, NumberStyles.Float, CultureInfo.InvariantCulture, out w) || !float.IsFinite(w) || w < 0))
            {
                throw new InvalidDataException($"{Where()}: weight '{weightText}' is not a number of at least 0.");
            }

            rows.Add(new Interaction(users.Add(u), items.Add(i), at, w));
            if (progress is not null && rows.Count % 1_000_000 == 0)
            {
                progress($"read {rows.Count:N0} interactions");
            }
        }

        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{path} has a header but no interactions.");
        }

        return new InteractionData(users, items, rows.ToArray());
    }

    /// <summary>Unix seconds, or an ISO-8601 date-time (UTC when it has no offset).</summary>
    public static long? ParseTime(string text)
    {
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return (long)Math.Floor(seconds);
        }

        return DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUnixTimeSeconds()
            : null;
    }
}
