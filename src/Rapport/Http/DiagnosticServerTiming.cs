using System.Diagnostics;
using System.Globalization;

namespace Rapport.Http;

/// <summary>
/// Opt-in `Server-Timing` header for load measurements (Rapport:Http:ServerTiming=true, e.g. the
/// environment variable Rapport__Http__ServerTiming=true): `app;dur=MS` is the time from the first
/// middleware to the moment the reply's headers are written, `gc0;desc=N` the server's gen0
/// collection count then and `alloc;desc=B` the bytes it has allocated since it started (all
/// threads), so a load run gives allocations per request, a figure the box's load does not move. A load client reads both to tell the server's share of a latency from
/// its own and from the network, and to see whether a slow request overlapped a collection
/// (docs/performance.md, "Session 7: earn/redeem latency"). Off by default: timings and GC counts
/// are diagnostics, not something to hand every client.
/// </summary>
internal static class DiagnosticServerTiming
{
    public static void UseDiagnosticServerTiming(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Rapport:Http:ServerTiming", false))
        {
            return;
        }

        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state => ((Started)state).WriteHeader(), new Started(context.Response, Stopwatch.GetTimestamp()));
            return next(context);
        });
    }

    private sealed class Started(HttpResponse response, long timestamp)
    {
        public Task WriteHeader()
        {
            var ms = Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;
            response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"app;dur={ms:0.000}, gc0;desc={GC.CollectionCount(0)}, alloc;desc={GC.GetTotalAllocatedBytes()}");
            return Task.CompletedTask;
        }
    }
}
