using System.Net;
using Rapport.Core.Dashboard;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// Rapport:TrustedProxies over real HTTP: behind a trusted proxy the sign-in limit counts the
/// client's address from X-Forwarded-For; without the setting the header is ignored, so a
/// client cannot choose an address to escape the limit.
/// </summary>
public sealed class TrustedProxyTests
{
    private const string AdminPassword = "admin secret 1";

    [Fact]
    public async Task BehindATrustedProxy_TheLockIsTheClientsAddress_NotEveryonesBehindTheProxy()
    {
        await using var server = await StartAsync(TrustedProxies.Parse("127.0.0.1"));
        var grace = await server.App.Services.GetRequiredService<StaffAccounts>().AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);

        for (var i = 0; i < SignInLimit.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(server, "203.0.113.5", "grace@shop.example", "guess " + i));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(server, "203.0.113.5", "grace@shop.example", grace.Password));
        Assert.Equal(HttpStatusCode.Redirect, await SignInAsync(server, "203.0.113.6", "grace@shop.example", grace.Password));
    }

    [Fact]
    public async Task WithoutTrustedProxies_XForwardedForIsIgnored()
    {
        await using var server = await StartAsync(null);
        var grace = await server.App.Services.GetRequiredService<StaffAccounts>().AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);

        for (var i = 0; i < SignInLimit.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(server, $"203.0.113.{i}", "grace@shop.example", "guess " + i));
        }

        // Five different forwarded addresses were one client (the connection's): still locked from a sixth.
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(server, "203.0.113.99", "grace@shop.example", grace.Password));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task XForwardedProtoHttps_FromATrustedProxyOnly_MakesTheSessionCookieSecure(bool trustedProxy)
    {
        // TLS ends at the proxy; the session cookie must still be marked Secure, so the browser
        // never sends it over plain HTTP. Believed only from a trusted proxy.
        await using var server = await StartAsync(trustedProxy ? TrustedProxies.Parse("127.0.0.1") : null);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = server.Address };
        browser.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var token = AntiforgeryToken.In(await browser.GetStringAsync("/dashboard/sign-in"));
        using var form = new FormUrlEncodedContent([KeyValuePair.Create("password", AdminPassword), KeyValuePair.Create("__RequestVerificationToken", token)]);
        using var reply = await browser.PostAsync("/dashboard/sign-in", form);

        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        var session = reply.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("rapport_dashboard=", StringComparison.Ordinal));
        Assert.Equal(trustedProxy, session.Contains("; secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Parse_NotAnAddress_SaysWhatToWrite()
    {
        var e = Assert.Throws<ArgumentException>(() => TrustedProxies.Parse("127.0.0.1, proxy.local"));
        Assert.Contains("'proxy.local' is not an IP address", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, TrustedProxies.Parse(" 127.0.0.1 , ::1 ").Addresses.Count);
    }

    private static Task<ApiServer> StartAsync(TrustedProxies? trusted) =>
        ApiServer.StartAsync(configure: services =>
        {
            services.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), AdminPassword));
            if (trusted is not null)
            {
                services.AddSingleton(trusted);
            }
        }, name: "proxy");

    /// <summary>One sign-in through a fresh client that says (as a proxy would) which address it forwards for.</summary>
    private static async Task<HttpStatusCode> SignInAsync(ApiServer server, string forwardedFor, string email, string password)
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = server.Address };
        browser.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var token = AntiforgeryToken.In(await browser.GetStringAsync("/dashboard/sign-in"));
        using var form = new FormUrlEncodedContent([KeyValuePair.Create("email", email), KeyValuePair.Create("password", password), KeyValuePair.Create("__RequestVerificationToken", token)]);
        using var reply = await browser.PostAsync("/dashboard/sign-in", form);
        return reply.StatusCode;
    }

}
