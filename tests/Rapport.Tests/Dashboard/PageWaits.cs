using System.Text;
using Microsoft.Playwright;
using System.Text.RegularExpressions;

namespace Rapport.Tests.Dashboard;

/// <summary>Waiting for a page to arrive after a click or a form post, robust to a lost "load" event.</summary>
public static class PageWaits
{
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// <see cref="IPage.WaitForURLAsync(string, PageWaitForURLOptions?)"/> in attempts of 15 s, up to 90 s.
    /// Why: on a loaded CI box Playwright's .NET client once waited 90 s for the "load" event of a
    /// page that had loaded (its log showed only "networkidle" arriving, which comes after load),
    /// so between attempts the page itself is asked where it is and whether it has loaded.
    /// </summary>
    public static async Task ReachAsync(this IPage page, string glob)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await page.WaitForURLAsync(glob, new() { Timeout = (float)Attempt.TotalMilliseconds });
                return;
            }
            catch (TimeoutException) when (waited.Elapsed < Limit)
            {
                if (await IsLoadedAtAsync(page, glob))
                {
                    return;
                }
            }
        }
    }

    private static async Task<bool> IsLoadedAtAsync(IPage page, string glob)
    {
        try
        {
            var where = await page.EvaluateAsync<string[]>("() => [location.href, document.readyState]");
            return where[1] == "complete" && GlobRegex(glob).IsMatch(where[0]);
        }
        catch (PlaywrightException)
        {
            return false; // a navigation replaced the document while we asked: not there yet
        }
    }

    /// <summary>Playwright's URL globs: ** any characters, * any but '/', everything else literal.</summary>
    internal static Regex GlobRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '*')
            {
                var twice = i + 1 < glob.Length && glob[i + 1] == '*';
                pattern.Append(twice ? ".*" : "[^/]*");
                i += twice ? 1 : 0;
            }
            else
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
