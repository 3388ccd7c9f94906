using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Rapport.Tests.Collect;

internal sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public string Describe(string what) => $"{what} exited with {ExitCode}.\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// Runs real programs (node, npm, the rapport executable) for tests. A missing program is a
/// test failure with a message saying what to install: these tests never skip.
/// </summary>
internal static class ExternalProcess
{
    /// <summary>The dotnet host running this test, so child processes use the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The repository root (the folder holding Rapport.slnx), found from the test's output folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Rapport.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No Rapport.slnx above {AppContext.BaseDirectory}; run the tests from a clone of the repository.");
        }
    }

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Child .NET processes must not inherit the test host's diagnostics and hooks.
        info.Environment.Remove("DOTNET_STARTUP_HOOKS");
        return info;
    }

    /// <summary>Starts a program, failing with install advice if it is not on PATH.</summary>
    public static Process Start(ProcessStartInfo info, string installHint)
    {
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"'{info.FileName}' could not be started ({ex.Message}). This test needs it and does not skip: {installHint}", ex);
        }
    }

    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> args, TimeSpan timeout, string installHint, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = StartInfo(file, args, workingDirectory);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var process = Start(info, installHint);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s.\n--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
