using System.Text;

namespace Rapport.Core.Import;

/// <summary>
/// The rows an import refused, as CSV (<c>line,reason,row</c>): the physical line the row starts
/// on, why, and the row itself so it can be fixed and imported again. Created on the first
/// reject; a stale file from an earlier run at the same path is removed at the start.
/// </summary>
public sealed class RejectFile(string path, char delimiter) : IDisposable
{
    private StreamWriter? _writer;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public long Count { get; private set; }

    /// <summary>The default: "&lt;input name&gt;.rejects.csv" in the working directory (inputs may be read-only).</summary>
    public static string DefaultPathFor(string input)
    {
        var name = System.IO.Path.GetFileName(input);
        foreach (var suffix in new[] { ".gz", ".csv", ".tsv", ".txt" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^suffix.Length];
            }
        }

        return System.IO.Path.Combine(Environment.CurrentDirectory, name + ".rejects.csv");
    }

    public void ClearStale()
    {
        if (File.Exists(Path))
        {
            File.Delete(Path);
        }
    }

    public void Add(CsvRecord record, string reason)
    {
        if (_writer is null)
        {
            var directory = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            _writer = new StreamWriter(Path, append: false, new UTF8Encoding(false));
            _writer.Write("line,reason,row\n");
        }

        _writer.Write(record.Line);
        _writer.Write(',');
        _writer.Write(CsvReader.Format([reason, record.ToCsv(delimiter)], ','));
        _writer.Write('\n');
        Count++;
    }

    public void Dispose() => _writer?.Dispose();
}
