using Microsoft.Playwright;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// "Recompute now" comes back at once and the page reloads itself until the new figures are in
/// (RefreshNote's #refreshing); a test that reads figures after clicking waits for a page loaded
/// after the click that no longer says "refreshing". The page before the click is marked, and
/// each check is asked inside one document, so neither the old page nor one half-way through its
/// own reload passes for the final one.
/// </summary>
public static class RefreshWaits
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    // Asked afresh every 5 s, and on failure the page's own state is reported. The CI failures that
    // led here (the final GET in the server's log and no reload after it) were the product's: the
    // overview's refresh did not reload an address with a fragment (RefreshNote, fixed).
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(5);

    /// <param name="button">"Recompute now", or the overview's "Check now" (health alarms).</param>
    public static async Task RecomputeNowAsync(this IPage page, string button = "Recompute now")
    {
        await page.EvaluateAsync("() => { window.__beforeRecompute = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await page.WaitForFunctionAsync(
                    "() => !window.__beforeRecompute && document.readyState === 'complete' && !document.getElementById('refreshing')",
                    null,
                    new() { PollingInterval = 100, Timeout = (float)Attempt.TotalMilliseconds });
                return;
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                if (waited.Elapsed >= Limit)
                {
                    var state = await page.EvaluateAsync<string>(
                        "() => [location.href, document.readyState, 'before=' + !!window.__beforeRecompute, 'refreshing=' + !!document.getElementById('refreshing'), document.body.innerText.slice(0, 400)].join(' | ')");
                    throw new TimeoutException($"The page did not settle after '{button}' within {Limit.TotalSeconds:0} s: {state}", e);
                }

                // The page navigated while asked (its execution context went), or this attempt's
                // time ran out (the client's System.TimeoutException): ask the page as it is now.
            }
        }
    }
}
