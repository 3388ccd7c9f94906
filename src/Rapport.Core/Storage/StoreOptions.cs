using System.Data.Common;
using System.Text.RegularExpressions;

namespace Rapport.Core.Storage;

/// <summary>
/// Which store to open, from the <c>--store</c> option or the <c>Rapport__Store</c> setting:
/// <list type="bullet">
/// <item><c>postgres:Host=db;Username=rapport;Database=rapport</c>, a value starting with
/// <c>Host=</c> or <c>Server=</c>, or a <c>postgres://user:pass@host:5432/db</c> URI: PostgreSQL.</item>
/// <item><c>sqlite:PATH</c> or a plain path: a SQLite file (created when missing).</item>
/// <item>nothing: <see cref="DefaultPath"/>.</item>
/// </list>
/// Anything else throws <see cref="StoreOptionsException"/> with a message saying how to fix it.
/// Parsing touches neither the file system nor the network; <c>StoreFactory</c> opens the store.
/// </summary>
public sealed partial record StoreOptions
{
    public const string DefaultPath = "./rapport.db";

    /// <summary>The environment variable that ASP.NET Core configuration reads as <c>Rapport:Store</c>.</summary>
    public const string EnvironmentVariable = "Rapport__Store";

    private const string Examples =
        "Use sqlite:PATH (or a plain file path), or postgres:Host=HOST;Username=USER;Database=DB " +
        "(or postgres://USER:PASSWORD@HOST:PORT/DB).";

    private StoreOptions(StoreKind kind, string target)
    {
        Kind = kind;
        Target = target;
    }

    public StoreKind Kind { get; }

    /// <summary>The SQLite file path, or the PostgreSQL connection string (may hold a password).</summary>
    public string Target { get; }

    public static StoreOptions Default { get; } = new(StoreKind.Sqlite, DefaultPath);

    /// <summary>What to show a user or write to a log: the kind and target, never a password.</summary>
    public string Display => Kind == StoreKind.Sqlite ? $"sqlite:{Target}" : $"postgres:{WithoutPassword(Target)}";

    /// <summary>The command-line value wins, then <c>Rapport__Store</c>, then the default file.</summary>
    public static StoreOptions FromCommandLineOrEnvironment(string? commandLineValue) =>
        Parse(string.IsNullOrWhiteSpace(commandLineValue)
            ? Environment.GetEnvironmentVariable(EnvironmentVariable)
            : commandLineValue);

    public static StoreOptions Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Default;
        }

        var text = value.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(FromUri(text));
        }

        if (ConnectionStringStart().IsMatch(text))
        {
            return Postgres(text);
        }

        var scheme = Scheme().Match(text);
        if (!scheme.Success)
        {
            return Sqlite(text);
        }

        var rest = scheme.Groups["rest"].Value.Trim();
        return scheme.Groups["scheme"].Value.ToLowerInvariant() switch
        {
            "postgres" or "postgresql" => Postgres(rest),
            "sqlite" => Sqlite(rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest),
            var other => throw new StoreOptionsException($"Unknown store '{other}' in '{Redact(text)}'. {Examples}"),
        };
    }

    public override string ToString() => Display;

    private static StoreOptions Sqlite(string path)
    {
        if (path.Length == 0)
        {
            throw new StoreOptionsException($"The SQLite store needs a file path after 'sqlite:'. {Examples}");
        }

        if (path == ":memory:")
        {
            throw new StoreOptionsException(
                "An in-memory SQLite store is not supported: Rapport keeps a WAL file. Give a file path, e.g. a temporary file.");
        }

        if (path.Contains('\0', StringComparison.Ordinal)
            || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0
            || path.EndsWith('/')
            || path.EndsWith(Path.DirectorySeparatorChar))
        {
            throw new StoreOptionsException($"'{path}' is not a usable SQLite file path. {Examples}");
        }

        return new StoreOptions(StoreKind.Sqlite, path);
    }

    private static StoreOptions Postgres(string connectionString)
    {
        if (connectionString.Length == 0)
        {
            throw new StoreOptionsException($"The PostgreSQL store needs a connection string after 'postgres:'. {Examples}");
        }

        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException ex)
        {
            throw new StoreOptionsException(
                $"'{Redact(connectionString)}' is not a valid PostgreSQL connection string ({ex.Message}). {Examples}", ex);
        }

        if (!HasValue(builder, "Host") && !HasValue(builder, "Server"))
        {
            throw new StoreOptionsException(
                $"The PostgreSQL connection string '{Redact(connectionString)}' has no Host. {Examples}");
        }

        return new StoreOptions(StoreKind.Postgres, connectionString);
    }

    /// <summary>postgres://user:password@host:port/database?key=value, as DATABASE_URL is usually written.</summary>
    private static string FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new StoreOptionsException($"'{Redact(text)}' is not a valid PostgreSQL URI. {Examples}");
        }

        var builder = new DbConnectionStringBuilder { ["Host"] = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder["Port"] = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder["Username"] = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder["Password"] = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder["Database"] = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new StoreOptionsException($"'{pair}' in '{Redact(text)}' is not key=value. {Examples}");
            }

            builder[Uri.UnescapeDataString(pair[..eq])] = Uri.UnescapeDataString(pair[(eq + 1)..]);
        }

        return builder.ConnectionString;
    }

    private static bool HasValue(DbConnectionStringBuilder builder, string key) =>
        builder.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(Convert.ToString(v));

    private static string WithoutPassword(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in new[] { "Password", "Pwd" })
            {
                if (builder.ContainsKey(key))
                {
                    builder[key] = "***";
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }

    /// <summary>Error messages echo the value back, minus anything that looks like a password.</summary>
    private static string Redact(string text) => PasswordPattern().Replace(UriPassword().Replace(text, "$1***@"), "$1***");

    [GeneratedRegex(@"^\s*(host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringStart();

    // Two letters or more, so a Windows drive (C:\data\rapport.db) stays a path.
    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]+):(?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex Scheme();

    [GeneratedRegex(@"((?:password|pwd)\s*=)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPattern();

    [GeneratedRegex(@"^([a-z]+://[^:/@]*:)[^@]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UriPassword();
}
