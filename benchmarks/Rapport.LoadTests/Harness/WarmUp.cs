using System.Globalization;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// Drives the same mix at the same rate, not measured, until the server is at its steady state:
/// at least <c>minSeconds</c>, then 5-second rounds until the runtime's background compiler used
/// under 1% of a round (it recompiles hot methods at tier 1 for tens of seconds after start on a
/// busy box, and its CPU and the tier-0 code it has not yet replaced were in every number measured
/// before session 7), or <c>maxSeconds</c> have passed. Prints what it did, so a run that measured
/// before the compiler settled says so.
/// </summary>
internal static class WarmUp
{
    public static void Run(OpenLoopClient client, RapportServer server, IReadOnlyList<LoadRequest> requests, int rate, int minSeconds, int maxSeconds)
    {
        const int Round = 5;
        var start = server.CompilerThreadCpu;
        client.Run(requests, rate, minSeconds, TimeSpan.FromSeconds(30));
        var seconds = minSeconds;
        var last = server.CompilerThreadCpu;
        var lastRound = last - start;
        while (seconds < maxSeconds)
        {
            client.Run(requests, rate, Round, TimeSpan.FromSeconds(30));
            seconds += Round;
            var now = server.CompilerThreadCpu;
            lastRound = now - last;
            last = now;
            if (lastRound.TotalMilliseconds < Round * 1000 * 0.01)
            {
                break;
            }
        }

        var settled = lastRound.TotalMilliseconds < Round * 1000 * 0.01 ? "settled" : "NOT settled: numbers below include background JIT";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  warm-up {seconds} s at {rate}/s; background JIT {(last - start).TotalSeconds:0.00} s of CPU in all, {lastRound.TotalMilliseconds:0} ms in the last round ({settled})"));
    }
}
