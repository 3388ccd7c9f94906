using System.Globalization;
using System.Runtime.InteropServices;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// Keeps the load client and the server off each other's core. On the 2-core box they used to
/// share both cores, and the client's own send lag (p99 3.9 ms on a quiet box, "Quiet-box runs of
/// the session-6 code") was most of the p99 it measured. Default on a machine with 2 or more
/// cores: the server on CPU 0 (it is started under `taskset`, so every thread it makes inherits
/// the mask and .NET sizes its pools for one core), this client on CPU 1. Options:
/// --server-cpus LIST (taskset syntax, e.g. 0 or 0-1), --client-cpu N, --no-pin.
/// </summary>
internal static partial class CpuPinning
{
    public static string Describe { get; private set; } = "not pinned";

    /// <summary>Reads the options, pins this process and tells <see cref="RapportServer"/> where to start the server.</summary>
    public static void Apply(string[] args)
    {
        if (args.Contains("--no-pin") || Environment.ProcessorCount < 2 || !OperatingSystem.IsLinux())
        {
            return;
        }

        var server = Option(args, "--server-cpus") ?? "0";
        var client = int.Parse(Option(args, "--client-cpu") ?? "1", CultureInfo.InvariantCulture);
        RapportServer.Cpus = server;
        PinThisProcess(client);
        Describe = $"server on CPU {server}, client on CPU {client}";
    }

    /// <summary>
    /// sched_setaffinity applies to one thread; every thread of this process that exists now gets
    /// the mask, and threads made later inherit it from the thread that makes them.
    /// </summary>
    private static void PinThisProcess(int cpu)
    {
        var mask = 1UL << cpu;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
            if (SchedSetAffinity(tid, sizeof(ulong), ref mask) != 0)
            {
                throw new InvalidOperationException($"sched_setaffinity({tid}, CPU {cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint size, ref ulong mask);
}
