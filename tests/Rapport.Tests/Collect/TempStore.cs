namespace Rapport.Tests.Collect;

/// <summary>A fresh folder for one test's SQLite store, deleted afterwards.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore(string name)
    {
        Directory = Path.Combine(Path.GetTempPath(), "rapport-tests", $"{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "rapport.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed child process may still hold the file for a moment; the OS temp cleaner gets it.
        }
    }
}
