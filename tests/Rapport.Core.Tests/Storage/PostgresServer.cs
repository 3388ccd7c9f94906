using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Rapport.Core.Storage;
using Rapport.Storage.Postgres;

namespace Rapport.Core.Tests.Storage;

/// <summary>
/// The real PostgreSQL the tests run on: a throwaway PostgreSQL 15 cluster from Debian's binaries
/// (initdb + pg_ctl, fsync off, about 1.5 s to start), shared by every test in the process and
/// deleted when the process exits; or, when RAPPORT_TEST_POSTGRES holds a connection string, that
/// existing server. Each test gets its own database, so tests stay independent.
/// <para>
/// One server per test process rather than an xunit collection fixture: xunit 2 has no assembly
/// fixtures, and a collection fixture would make every class that uses it run one at a time.
/// Clusters left behind by a killed test run are removed by the next run.
/// </para>
/// <para>
/// When no server can be had the tests that need one FAIL with a message saying how to get one
/// (in CI and out of it); they never skip.
/// </para>
/// </summary>
public sealed class PostgresServer
{
    public const string ExistingServerVariable = "RAPPORT_TEST_POSTGRES";

    private const string ClusterPrefix = "rapport-pg-";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    // Unique per process so parallel test runs can share one existing server.
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly NpgsqlDataSource _admin;
    private readonly LocalCluster? _cluster;
    private readonly ConcurrentDictionary<string, byte> _databases = new();
    private readonly Lazy<Task<string>> _template;
    private int _counter;

    private PostgresServer(string adminConnectionString, LocalCluster? cluster)
    {
        AdminConnectionString = adminConnectionString;
        _cluster = cluster;
        _admin = NpgsqlDataSource.Create(adminConnectionString);
        _template = new Lazy<Task<string>>(CreateTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>A connection string to the server's <c>postgres</c> database, as superuser.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Starts the server on first use; every later call gets the same one (or the same failure).</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>
    /// A new database, migrated (a copy of a template migrated once per process, about 30 ms) or
    /// empty (created the way production creates it). Returns its name.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(bool migrated, CancellationToken cancellationToken = default)
    {
        var name = $"rt_{_run}_{Interlocked.Increment(ref _counter)}";
        _databases[name] = 0;
        if (migrated)
        {
            var template = await _template.Value;
            await using var command = _admin.CreateCommand(
                $"CREATE DATABASE {PostgresDatabase.QuoteIdentifier(name)} TEMPLATE {PostgresDatabase.QuoteIdentifier(template)}");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await PostgresDatabase.CreateDatabaseIfMissingAsync(ConnectionString(name), cancellationToken);
        }

        return name;
    }

    /// <summary>A database name that does not exist yet (for tests of creating it).</summary>
    public string NewDatabaseName()
    {
        var name = $"rt_{_run}_{Interlocked.Increment(ref _counter)}";
        _databases[name] = 0;
        return name;
    }

    public async Task DropDatabaseAsync(string name)
    {
        await using var command = _admin.CreateCommand($"DROP DATABASE IF EXISTS {PostgresDatabase.QuoteIdentifier(name)} WITH (FORCE)");
        await command.ExecuteNonQueryAsync();
        _databases.TryRemove(name, out _);
    }

    private async Task<string> CreateTemplateAsync()
    {
        var name = $"rt_{_run}_template";
        _databases[name] = 0;
        await PostgresDatabase.CreateDatabaseIfMissingAsync(ConnectionString(name));
        await using (var database = new PostgresDatabase(ConnectionString(name)))
        {
            await SchemaMigrator.MigrateAsync(database);
        }

        // CREATE DATABASE ... TEMPLATE needs nobody connected to the template: drop the pool's sessions.
        await using var command = _admin.CreateCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await command.ExecuteNonQueryAsync();
        return name;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var existing = Environment.GetEnvironmentVariable(ExistingServerVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            var builder = new NpgsqlConnectionStringBuilder(existing);
            builder.Database ??= "postgres";
            var server = new PostgresServer(builder.ConnectionString, cluster: null);
            await using var connection = await server._admin.OpenConnectionAsync();
            return server;
        }

        var cluster = await LocalCluster.StartAsync();
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = cluster.Port,
            Username = "postgres",
            Database = "postgres",
            Timeout = 30,
            CommandTimeout = 60,
        };
        return new PostgresServer(admin.ConnectionString, cluster);
    }

    private void Stop()
    {
        if (_cluster is not null)
        {
            // The whole cluster goes; no need to drop databases one by one.
            _admin.Dispose();
            _cluster.Stop();
            return;
        }

        // An existing server: drop what this process created and the tests did not.
        try
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = _admin.OpenConnection();
            foreach (var name in _databases.Keys)
            {
                using var command = new NpgsqlCommand(
                    $"DROP DATABASE IF EXISTS {PostgresDatabase.QuoteIdentifier(name)} WITH (FORCE)", connection);
                command.ExecuteNonQuery();
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Could not drop the test databases on {ExistingServerVariable}: {ex.Message}");
        }
        finally
        {
            _admin.Dispose();
        }
    }

    /// <summary>A cluster in /tmp/rapport-pg-*, run as the postgres user when the tests run as root.</summary>
    private sealed class LocalCluster
    {
        private readonly string _root;
        private readonly string _binDir;

        private LocalCluster(string root, string binDir, int port)
        {
            _root = root;
            _binDir = binDir;
            Port = port;
        }

        public int Port { get; }

        private string DataDir => Path.Combine(_root, "data");

        private static bool IsRoot => Environment.UserName == "root";

        public static async Task<LocalCluster> StartAsync()
        {
            var binDir = FindBinDir() ?? throw new InvalidOperationException(MissingMessage());
            SweepAbandoned(binDir);

            // /tmp rather than $TMPDIR: the postgres user must reach it, and the socket path
            // must stay under 107 characters.
            var root = Path.Combine(OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp", ClusterPrefix + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(root);
            await File.WriteAllTextAsync(Path.Combine(root, "owner.pid"), Environment.ProcessId.ToString());
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres:postgres", root], asPostgres: false);
            }

            await RunAsync(Path.Combine(binDir, "initdb"),
                ["-D", Path.Combine(root, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"],
                asPostgres: IsRoot);

            // A port found free can be taken before postgres binds it: try a few.
            InvalidOperationException? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var cluster = new LocalCluster(root, binDir, FreePort());
                try
                {
                    await cluster.RunPgCtlStartAsync();
                    cluster.StartReaper();
                    return cluster;
                }
                catch (InvalidOperationException ex)
                {
                    last = ex;
                }
            }

            TryDelete(root);
            throw new InvalidOperationException($"PostgreSQL did not start from {binDir}: {last?.Message}", last);
        }

        public void Stop()
        {
            StopCluster(_binDir, DataDir);
            TryDelete(_root);
        }

        private Task RunPgCtlStartAsync()
        {
            // -l: the server logs to a file; without it the server would hold our output pipe open.
            var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                "-c full_page_writes=off -c max_connections=300";
            return RunAsync(Path.Combine(_binDir, "pg_ctl"),
                ["-D", DataDir, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o", options, "start"],
                asPostgres: IsRoot,
                logFile: Path.Combine(_root, "server.log"));
        }

        /// <summary>
        /// A detached shell that waits for this test process to end, however it ends (a killed
        /// test host runs no exit handlers), then stops the server and deletes the cluster.
        /// </summary>
        private void StartReaper()
        {
            const string script = """
                exec </dev/null >/dev/null 2>&1
                while kill -0 "$1"; do sleep 1; done
                if [ -f "$3/data/postmaster.pid" ]; then
                  if [ "$4" = root ]; then runuser -u postgres -- "$2" -D "$3/data" -m immediate -w -t 20 stop
                  else "$2" -D "$3/data" -m immediate -w -t 20 stop; fi
                fi
                for i in 1 2 3 4 5; do rm -rf "$3"; [ -e "$3" ] || break; sleep 1; done
                """;
            var info = new ProcessStartInfo("setsid")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[] { "sh", "-c", script, "reaper", Environment.ProcessId.ToString(), Path.Combine(_binDir, "pg_ctl"), _root, IsRoot ? "root" : "user" })
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info);
        }

        private static void StopCluster(string binDir, string dataDir)
        {
            if (!File.Exists(Path.Combine(dataDir, "postmaster.pid")))
            {
                return;
            }

            try
            {
                using var process = Process.Start(StartInfo(
                    Path.Combine(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "-t", "20", "stop"], IsRoot))!;
                process.WaitForExit(TimeSpan.FromSeconds(25));
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"Could not stop the test PostgreSQL in {dataDir}: {ex.Message}");
            }
        }

        /// <summary>Removes clusters whose test process died without cleaning up (killed, crashed).</summary>
        private static void SweepAbandoned(string binDir)
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            foreach (var dir in Directory.EnumerateDirectories("/tmp", ClusterPrefix + "*"))
            {
                try
                {
                    var ownerFile = Path.Combine(dir, "owner.pid");
                    var abandoned = File.Exists(ownerFile)
                        ? int.TryParse(File.ReadAllText(ownerFile), out var pid) && !Directory.Exists($"/proc/{pid}")
                        : Directory.GetCreationTimeUtc(dir) < TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1);
                    if (abandoned)
                    {
                        StopCluster(binDir, Path.Combine(dir, "data"));
                        TryDelete(dir);
                    }
                }
                catch (IOException)
                {
                    // Another test process is sweeping the same directory.
                }
            }
        }

        private static string? FindBinDir()
        {
            var configured = Environment.GetEnvironmentVariable("RAPPORT_PG_BIN");
            if (!string.IsNullOrEmpty(configured))
            {
                return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
            }

            // Debian/Ubuntu keep each major version apart; prefer 15, else the newest.
            const string debian = "/usr/lib/postgresql";
            if (Directory.Exists(debian))
            {
                var versions = Directory.EnumerateDirectories(debian)
                    .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                    .Where(x => x.Version >= 13 && File.Exists(Path.Combine(x.Dir, "initdb")))
                    .OrderByDescending(x => x.Version == 15)
                    .ThenByDescending(x => x.Version)
                    .ToList();
                if (versions.Count > 0)
                {
                    return versions[0].Dir;
                }
            }

            return (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        }

        private static string MissingMessage()
        {
            const string what = "The PostgreSQL half of the store contract tests needs PostgreSQL 15 server binaries " +
                "(initdb, pg_ctl), and none were found in /usr/lib/postgresql/*/bin, $RAPPORT_PG_BIN or PATH.";
            return string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
                ? $"{what} CI must provide them: scripts/test.sh installs them as root (apt-get install -y postgresql); " +
                  $"check its output for a failed install, or set {ExistingServerVariable} to a server's connection string."
                : $"{what} Install them with `sudo apt-get install -y postgresql` (Debian/Ubuntu), or point the tests at a " +
                  $"server you have: {ExistingServerVariable}=\"Host=127.0.0.1;Username=postgres;Password=...\" " +
                  "(the user needs CREATEDB).";
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static ProcessStartInfo StartInfo(string file, IReadOnlyList<string> args, bool asPostgres)
        {
            var info = new ProcessStartInfo(asPostgres ? "runuser" : file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            if (asPostgres)
            {
                foreach (var a in new[] { "-u", "postgres", "--", file })
                {
                    info.ArgumentList.Add(a);
                }
            }

            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            // initdb picks its locale from the environment; C is always there.
            info.Environment["LC_ALL"] = "C";
            return info;
        }

        private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, string? logFile = null)
        {
            using var process = new Process { StartInfo = StartInfo(file, args, asPostgres) };
            var output = new ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException($"Could not run {process.StartInfo.FileName}: {ex.Message}", ex);
            }

            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{file} did not finish in 90 s:\n{string.Join('\n', output)}");
            }

            if (process.ExitCode != 0)
            {
                var log = logFile is not null && File.Exists(logFile) ? "\nserver log:\n" + await File.ReadAllTextAsync(logFile) : "";
                throw new InvalidOperationException(
                    $"{(asPostgres ? "runuser -u postgres -- " : "")}{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n" +
                    $"{string.Join('\n', output)}{log}");
            }
        }

        private static void TryDelete(string dir)
        {
            // Server processes may still be writing their last files just after pg_ctl returns.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                    return;
                }
                catch (DirectoryNotFoundException)
                {
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    if (attempt == 5)
                    {
                        Console.Error.WriteLine($"Could not delete {dir}: {ex.Message}");
                        return;
                    }

                    Thread.Sleep(200);
                }
            }
        }
    }
}
