using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// Sleeping to an instant on the Stopwatch clock. On Linux Stopwatch ticks are CLOCK_MONOTONIC
/// nanoseconds, so an absolute clock_nanosleep wakes the schedule thread within microseconds
/// of the due time once the thread's timer slack (50 µs by default) is narrowed, without spinning
/// on a core the server may need and without Task.Delay's 1 ms steps. Elsewhere: Thread.Sleep,
/// then a short spin.
/// </summary>
internal static partial class Clock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbstime = 1;
    private const int PrSetTimerslack = 29;
    private static readonly bool Precise = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>For the calling thread only.</summary>
    public static void NarrowTimerSlack()
    {
        if (Precise)
        {
            _ = Prctl(PrSetTimerslack, 1, 0, 0, 0);
        }
    }

    public static void SleepUntil(long timestamp)
    {
        if (Precise)
        {
            var at = new TimeSpec { Seconds = timestamp / 1_000_000_000, Nanoseconds = timestamp % 1_000_000_000 };
            while (ClockNanosleep(ClockMonotonic, TimerAbstime, ref at, 0) == 4)
            {
                // EINTR: a signal woke the thread early; sleep on to the same instant.
            }

            return;
        }

        var ms = (timestamp - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
        if (ms > 1)
        {
            Thread.Sleep((int)ms - 1);
        }

        while (Stopwatch.GetTimestamp() < timestamp)
        {
            Thread.SpinWait(20);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, ref TimeSpec request, nint remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
