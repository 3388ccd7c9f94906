using System.CommandLine;

namespace Rapport.Cli;

/// <summary>Options several commands share.</summary>
internal static class CliOptions
{
    public static Option<string?> Store() => new("--store")
    {
        Description = "The store: a SQLite file path (default ./rapport.db, or sqlite:PATH) or postgres:Host=...;Username=...;Database=... (also read from Rapport__Store)",
    };

    public static Option<string> Urls(string fallback) => new("--urls")
    {
        Description = "Where to listen, e.g. http://127.0.0.1:5080",
        DefaultValueFactory = _ => fallback,
    };
}

/// <summary>A mistake the user can fix: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
