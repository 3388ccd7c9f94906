using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard;

/// <summary>How long a dashboard page view waits for a report's first computation (Rapport:Dashboard:ReportWaitMilliseconds, default 300).</summary>
public sealed record ReportWaiting(TimeSpan Limit)
{
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(300);
}

/// <summary>
/// A dashboard page view waits at most <see cref="ReportWaiting.Limit"/> for reports computed for the first
/// time (ReportCache.WaitAtMost): right after a start at a million customers the reports take
/// minutes (ReportWarmer computes them one after another), and a page must not hang meanwhile.
/// When the time is up the reader is sent to /dashboard/computing, which says so and comes back
/// to the page by itself; the computation carries on in the background. Page views of reports
/// already computed never wait (the cache answers, and refreshes stale ones in the background).
/// </summary>
internal sealed class ReportWaitFilter(ReportWaiting waiting) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            ReportCache.WaitAtMost(waiting.Limit);
        }

        var executed = await next();
        if (executed.Exception is ReportNotReadyException notReady)
        {
            executed.ExceptionHandled = true;
            var back = request.PathBase + request.Path + request.QueryString;
            executed.Result = new RedirectResult($"{DashboardServices.Root}/computing?report={Uri.EscapeDataString(notReady.Key)}&back={Uri.EscapeDataString(back)}");
        }
    }
}
