using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Rapport.Core.Analytics;

namespace Rapport.Dashboard;

/// <summary>
/// What a report page says about its cached figures beyond "computed at": a recomputation running
/// behind them ("Recompute now" and stale reports start one and the page answers at once with the
/// figures held; ReportCache), the last one having failed, or the sources checked unchanged.
/// While one runs the page reloads itself every <see cref="ReloadSeconds"/> seconds, so the new
/// figures appear without the reader doing anything.
/// The reload names the page's own path and query: a bare refresh on an address with a fragment
/// (the overview's "Check now" lands on /dashboard#health-heading) is a same-document fragment
/// navigation by the HTML standard, so the browser would scroll instead of reloading, for ever.
/// </summary>
internal static class RefreshNote
{
    public const int ReloadSeconds = 5;

    public static IHtmlContent For(HttpRequest request, params ICachedReport?[] reports)
    {
        var held = reports.OfType<ICachedReport>().ToList();
        var html = new HtmlContentBuilder();
        if (held.Where(r => r.RefreshingSince is not null).Select(r => r.RefreshingSince!.Value).DefaultIfEmpty().Min() is var since && since != default)
        {
            var from = held.Min(r => r.ComputedAt);
            html.AppendHtml(string.Create(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{ReloadSeconds}; url={HtmlEncoder.Default.Encode(ReloadUrl(request))}\">"));
            html.AppendHtml("<p class=\"alert info\" role=\"status\" id=\"refreshing\">");
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"Refreshing since {Time(since)}: the figures below are still those computed {Time(from)}. This page reloads by itself every {ReloadSeconds} seconds until the new ones are ready."));
            html.AppendHtml("</p>");
        }

        if (held.FirstOrDefault(r => r.RefreshFailed is not null) is { } failed)
        {
            html.AppendHtml("<p class=\"alert error\" role=\"alert\" id=\"refresh-failed\">");
            html.Append($"The last recomputation failed ({failed.RefreshFailed}); the figures below are the earlier ones. Recompute again, or see the server log.");
            html.AppendHtml("</p>");
        }

        if (held.Where(r => r.CheckedAt is not null).Select(r => r.CheckedAt!.Value).DefaultIfEmpty().Max() is var checkedAt && checkedAt != default)
        {
            html.AppendHtml("<p class=\"muted\" id=\"checked-unchanged\">");
            html.Append($"The data these figures come from has not changed since (checked {Time(checkedAt)}), so they were not recomputed.");
            html.AppendHtml("</p>");
        }

        return html;
    }

    /// <summary>Where the page reloads to: itself, without any fragment (the browser never sends one).</summary>
    internal static string ReloadUrl(HttpRequest request) => $"{request.PathBase}{request.Path}{request.QueryString}";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
