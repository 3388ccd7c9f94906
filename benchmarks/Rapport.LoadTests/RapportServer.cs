using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Rapport.LoadTests;

/// <summary>
/// The real `rapport` executable (rapport.dll, built in this tool's configuration and copied
/// next to it by the project reference), run as its own process as in production.
/// </summary>
internal sealed partial class RapportServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly Dictionary<string, long> _compilerTicks = [];

    private RapportServer(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "rapport.dll");

    /// <summary>CPUs for the server (taskset list, e.g. "0"), or null for anywhere; set by Harness.CpuPinning.</summary>
    public static string? Cpus { get; set; }

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static async Task<string> CreateKeyAsync(string store, string kind)
    {
        using var process = Process.Start(Info("keys", "create", "--store", store, "--kind", kind, "--name", "load"))!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? stdout.Trim() : throw new InvalidOperationException($"rapport keys create failed: {stderr}");
    }

    /// <param name="extraArgs">More `rapport serve` options (e.g. --ingest-ack committed).</param>
    /// <param name="environment">Settings as environment variables (e.g. Rapport__Ingest__Projector=false).</param>
    public static async Task<RapportServer> StartAsync(string store, IReadOnlyList<string>? extraArgs = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Info(["serve", "--store", store, "--urls", "http://127.0.0.1:0", .. extraArgs ?? []]);
        if (Cpus is { } cpus)
        {
            // taskset execs dotnet in the same process, so Process.Id is still the server's.
            info.ArgumentList.Insert(0, info.FileName);
            info.ArgumentList.Insert(0, cpus);
            info.ArgumentList.Insert(0, "-c");
            info.FileName = "taskset";
        }

        // Server-Timing on every reply (src/Rapport/Http/DiagnosticServerTiming.cs): the load client's report
        // splits each latency into the server's part and the rest.
        info.Environment["Rapport__Http__ServerTiming"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ServingLine().Match(line) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups["url"].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"rapport serve did not start:\n{output}");
        }

        return new RapportServer(process, output, await listening.Task);
    }

    /// <summary>Whether the server has written a line containing this text (its console log).</summary>
    public bool HasLogged(string text)
    {
        lock (_output)
        {
            return _output.ToString().Contains(text, StringComparison.Ordinal);
        }
    }

    /// <summary>Everything the server has written to its console so far.</summary>
    public string Log
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The server's console lines containing this text, in order.</summary>
    public IReadOnlyList<string> LinesContaining(string text)
    {
        lock (_output)
        {
            return _output.ToString().Split('\n').Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
        }
    }

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM from /proc), in MB.</summary>
    public (double Rss, double Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return (Kb("VmRSS:"), Kb("VmHWM:"));
    }

    /// <summary>Total processor time the server used: user plus system, all its threads.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Context switches of all the server's threads so far (voluntary: a thread blocked or waited
    /// for work; involuntary: the scheduler took its core). Each thread hop of a request costs a
    /// wake-up, so switches per request show hand-offs apart from the box's load.
    /// </summary>
    public (long Voluntary, long Involuntary) ContextSwitches
    {
        get
        {
            long voluntary = 0, involuntary = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            voluntary += long.Parse(line.AsSpan(24).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            involuntary += long.Parse(line.AsSpan(27).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                    // The thread ended while we read; its switches are lost from the count.
                }
            }

            return (voluntary, involuntary);
        }
    }

    /// <summary>
    /// CPU time of the runtime's background compiler thread (".NET Tiered Com": tier-1
    /// recompilation of hot methods). While it still runs, the server is not at its steady state:
    /// on the shared box it was still taking 13-16% of the server's CPU after a 20 s warm-up
    /// (docs/performance.md, "Session 7: earn/redeem latency").
    /// </summary>
    /// <remarks>
    /// The runtime ends that thread after a few idle seconds and starts a new one when work comes,
    /// so the total is kept per thread id: a thread that has ended keeps its last reading.
    /// </remarks>
    public TimeSpan CompilerThreadCpu
    {
        get
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // After the "(comm)" field: state is the first, utime the 12th, stime the 13th (proc(5)).
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    _compilerTicks[Path.GetFileName(task)] = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The thread ended while we read; its last reading stands.
                }
            }

            return TimeSpan.FromSeconds(_compilerTicks.Values.Sum() / 100.0); // USER_HZ
        }
    }

    /// <summary>SIGTERM, so the host stops the way a service manager stops it.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Runtime settings for the server only (GC mode, tiering), to compare them without
        // rebuilding and without changing the load generator's own runtime:
        // LOADTEST_SERVER_ENV="DOTNET_gcServer=0;DOTNET_TieredPGO=0".
        foreach (var pair in (Environment.GetEnvironmentVariable("LOADTEST_SERVER_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            info.Environment[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }

        info.ArgumentList.Add(DllPath);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"Rapport is serving .* on (?<url>http://[^\s,]+)")]
    private static partial Regex ServingLine();
}
