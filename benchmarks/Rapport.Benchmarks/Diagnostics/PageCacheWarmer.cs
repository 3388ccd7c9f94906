using System.Diagnostics;
using System.Globalization;

namespace Rapport.Benchmarks.Diagnostics;

/// <summary>
/// Reads a SQLite file (and its WAL) through once, so the OS page cache holds it before anything
/// is timed. On the build VM the cache loses part of a 9 GB store between runs (fincore showed
/// 6.4 of 9.1 GB resident after a full run, with 16 GB free), and a run that then reads from
/// disk measures the disk, not the code. The time it took says which case it was.
/// </summary>
internal static class PageCacheWarmer
{
    public static string Warm(string path)
    {
        var watch = Stopwatch.StartNew();
        long total = 0;
        var buffer = new byte[1 << 20];
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                total += read;
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"page cache: {total / 1e9:0.0} GB read through in {watch.Elapsed.TotalSeconds:0.0} s (about a second per GB from disk, far less when it was cached)");
    }
}
