using System.Diagnostics;
using System.Globalization;

namespace Rapport.Dashboard;

/// <summary>
/// Adds <c>Server-Timing: app;dur=…</c> (milliseconds) to the dashboard's responses: the time
/// from the request reaching the dashboard to its headers leaving, which for a Razor page is the
/// whole render (the page is buffered and sent at the end). A browser's developer tools and the
/// dashboard benchmark read the server's own time apart from the network and the client.
/// </summary>
internal static class ServerTiming
{
    public const string Header = "Server-Timing";

    // Not async: every API request passes through here, and an async lambda cost each of them a
    // state machine and an extra await (docs/performance.md, "Session 7: earn/redeem latency").
    public static void UseServerTiming(this WebApplication app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments(DashboardServices.Root, StringComparison.Ordinal))
        {
            return next(context);
        }

        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = string.Create(CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
            return Task.CompletedTask;
        });
        return next(context);
    });
}
