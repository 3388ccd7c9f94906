using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Rapport.Tests.Collect;

/// <summary>
/// The real `rapport` executable (rapport.dll copied next to this test assembly by the project
/// reference), run as a child process with `dotnet rapport.dll`, so a test can SIGKILL it.
/// </summary>
internal sealed partial class RapportProcess : IAsyncDisposable
{
    private const string DotnetHint = "the .NET SDK's `dotnet` must be on PATH.";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private RapportProcess(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
    }

    public static string DllPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "rapport.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"rapport.dll is not next to the test assembly in {AppContext.BaseDirectory}; build tests/Rapport.Tests (it references src/Rapport).", path);
        }
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server wrote so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>`rapport keys create`; returns the key it prints on stdout.</summary>
    public static async Task<string> CreateKeyAsync(string store, string kind)
    {
        var result = await ExternalProcess.RunAsync(
            ExternalProcess.DotnetHost, [DllPath, "keys", "create", "--store", store, "--kind", kind, "--name", "test"],
            TimeSpan.FromMinutes(1), DotnetHint);
        var key = result.StdOut.Trim();
        Assert.True(result.ExitCode == 0 && key.StartsWith("rk_", StringComparison.Ordinal), result.Describe("rapport keys create"));
        return key;
    }

    /// <summary>`rapport serve` on a free loopback port; returns once it prints where it listens.</summary>
    /// <param name="extraArgs">More `rapport serve` options, e.g. --ingest-ack committed.</param>
    /// <param name="environment">Settings as environment variables, e.g. Rapport__Ingest__Projector=false.</param>
    public static async Task<RapportProcess> StartAsync(string store, IReadOnlyList<string>? extraArgs = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Port 0: the kernel picks a free port and serve prints the one it got, so parallel tests never collide.
        var info = ExternalProcess.StartInfo(ExternalProcess.DotnetHost, [DllPath, "serve", "--store", store, "--urls", "http://127.0.0.1:0", .. extraArgs ?? []]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = ExternalProcess.Start(info, DotnetHint);
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
        process.StandardInput.Close();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            var reason = process.HasExited ? $"exited with {process.ExitCode}" : "did not start listening within 60 s";
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"rapport serve {reason}:\n{output}");
        }

        return new RapportProcess(process, output, await listening.Task);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush; whatever is not committed is lost.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Rapport is serving .* on (?<url>http://[^\s,]+)")]
    private static partial Regex ServingLine();
}
