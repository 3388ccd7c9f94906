using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Rapport.LoadTests.Harness;

/// <summary>
/// The server's own runtime counters (the "System.Runtime" event counters dotnet-counters shows:
/// gc-heap-size, gc-committed, gc-fragmentation, loh-size, ...), read from outside the process
/// over the runtime's diagnostics socket (an EventPipe session, one reading a second), so the
/// managed heap can be put beside the RSS from /proc without changing the server. The latest value
/// of each counter is kept; <see cref="Get"/> returns it, or null before the first reading or when
/// the session could not start (diagnostics disabled).
/// </summary>
internal sealed class RuntimeCounters : IDisposable
{
    private readonly Dictionary<string, double> _latest = [];
    private readonly EventPipeSession? _session;
    private readonly Task _reader = Task.CompletedTask;

    private RuntimeCounters(int processId)
    {
        try
        {
            var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
            _session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
            _reader = Task.Run(Read);
        }
        catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException)
        {
            Console.WriteLine($"  (runtime counters of the server not available: {e.Message})");
        }
    }

    public static RuntimeCounters Start(int processId) => new(processId);

    /// <summary>The counter's latest value (MB for the sizes), or null.</summary>
    public double? Get(string name)
    {
        lock (_latest)
        {
            return _latest.TryGetValue(name, out var v) ? v : null;
        }
    }

    public void Dispose()
    {
        try
        {
            _session?.Stop();
        }
        catch (Exception e) when (e is DiagnosticsClientException or IOException or ServerNotAvailableException or TimeoutException)
        {
            // The server has already gone.
        }

        _reader.Wait(TimeSpan.FromSeconds(5));
        _session?.Dispose();
    }

    private void Read()
    {
        using var source = new EventPipeEventSource(_session!.EventStream);
        source.Dynamic.All += e =>
        {
            if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                || outer["Payload"] is not IDictionary<string, object> payload || payload["Name"] is not string name)
            {
                return;
            }

            var value = payload.TryGetValue("Mean", out var mean) ? mean : payload.TryGetValue("Increment", out var inc) ? inc : null;
            if (value is not null)
            {
                lock (_latest)
                {
                    _latest[name] = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        };
        try
        {
            source.Process();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or EndOfStreamException)
        {
            // The session ended with the server.
        }
    }
}
