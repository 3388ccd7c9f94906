using System.Net;
using Rapport.Core.Analytics;
using Rapport.Core.Dashboard;
using Rapport.Core.Storage;
using Rapport.Dashboard;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// A page whose report is not computed yet does not hang: it sends its reader to the computing
/// page at once, the computation goes on behind, and the page answers once it is done.
/// </summary>
public sealed class ComputingPageTests
{
    private const string Password = "computing test";

    [Fact]
    public async Task PageView_ReportNotComputed_ComputingPageAtOnce_ThenThePage()
    {
        await using var api = await ApiServer.StartAsync(configure: s =>
        {
            s.AddSingleton(new ReportWaiting(TimeSpan.Zero)); // never wait: every first computation takes the detour
            s.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), Password));
        });
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = api.Address };
        await SignInAsync(http);

        using (var first = await http.GetAsync("/dashboard/actions?x=1"))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
            Assert.Equal("/dashboard/computing?report=uplift&back=%2Fdashboard%2Factions%3Fx%3D1", first.Headers.Location?.OriginalString);
            Assert.Matches(@"^app;dur=\d+(\.\d)?$", Assert.Single(first.Headers.GetValues("Server-Timing")));
        }

        var computing = await http.GetStringAsync("/dashboard/computing?report=uplift&back=%2Fdashboard%2Factions%3Fx%3D1");
        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5;url=/dashboard/actions?x=1\">", computing, StringComparison.Ordinal);
        Assert.Contains("<code>uplift</code>", computing, StringComparison.Ordinal);

        var cache = api.App.Services.GetRequiredService<ReportCache>();
        for (var i = 0; i < 300 && !cache.Has("uplift"); i++)
        {
            await Task.Delay(100); // the computation the first view started, in the background
        }

        using var page = await http.GetAsync("/dashboard/actions?x=1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Actions", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/dashboard")]
    [InlineData("//evil.example/dashboard")]
    [InlineData("/v1/customers")]
    public async Task ComputingPage_BackOutsideTheDashboard_GoesToTheOverviewInstead(string back)
    {
        await using var api = await ApiServer.StartAsync(configure: s =>
            s.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), Password)));
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = api.Address };
        await SignInAsync(http);

        var html = await http.GetStringAsync("/dashboard/computing?report=x&back=" + Uri.EscapeDataString(back));

        Assert.Contains("<meta http-equiv=\"refresh\" content=\"5;url=/dashboard\">", html, StringComparison.Ordinal);
    }

    private static async Task SignInAsync(HttpClient http)
    {
        var form = await http.GetStringAsync("/dashboard/sign-in");
        using var reply = await http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["password"] = Password, ["__RequestVerificationToken"] = AntiforgeryToken.In(form), ["returnUrl"] = "/dashboard",
        }));
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
    }

}
