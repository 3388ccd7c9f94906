using System.Net;
using Dapper;
using Rapport.Core.Dashboard;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// The cookie key ring lives in the store (StoreKeyRing): a session and an anti-forgery token a
/// server issued are still good after that server stops and another starts on the same store.
/// </summary>
public sealed class KeyRingRestartTests
{
    private const string Password = "restart horse battery";

    [Theory, BothStores]
    public async Task SignIn_ServerRestartsOnSameStore_SameCookieStillSignedIn(StoreKind store)
    {
        await using var db = await TestStores.CreateAsync(store);
        string cookies, token;
        await using (var first = await StartAsync(db))
        {
            (cookies, token) = await SignInAsync(first);
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(first, "/dashboard", cookies)).StatusCode);
        }

        await using (var second = await StartAsync(db))
        {
            // The same cookies, a new process' services: the overview answers instead of the sign-in page.
            using var overview = await GetAsync(second, "/dashboard", cookies);
            Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
            Assert.Contains("<h1>Overview</h1>", await overview.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // A form the first server rendered still posts: its anti-forgery token is accepted (400 if not).
            using var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/sign-out")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
            };
            request.Headers.Add("Cookie", cookies);
            using var client = NoRedirects(second);
            using var signOut = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
            Assert.Equal("/dashboard/sign-in", signOut.Headers.Location?.OriginalString);
        }

        await using var c = await db.OpenAsync();
        Assert.True(await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dashboard_keys") >= 1, "the key the first server made is stored");
    }

    [Theory, BothStores]
    public async Task SignIn_CookieFromAnotherStore_IsSentToSignIn(StoreKind store)
    {
        // The control: a store with its own key ring cannot read the cookie, so the test above proves the shared ring.
        await using var db = await TestStores.CreateAsync(store);
        await using var other = await TestStores.CreateAsync(StoreKind.Sqlite);
        string cookies;
        await using (var first = await StartAsync(db))
        {
            (cookies, _) = await SignInAsync(first);
        }

        await using var stranger = await StartAsync(other);
        using var reply = await GetAsync(stranger, "/dashboard", cookies);
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        Assert.Contains("/dashboard/sign-in", reply.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private static Task<ApiServer> StartAsync(TestDatabase db) =>
        ApiServer.StartOnAsync(db, s => s.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), Password)));

    /// <returns>The Cookie header after signing in (session + anti-forgery cookie) and an anti-forgery token from a signed-in page.</returns>
    private static async Task<(string Cookies, string Token)> SignInAsync(ApiServer server)
    {
        using var client = NoRedirects(server);
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var form = await client.GetAsync("/dashboard/sign-in"))
        {
            Keep(form, jar);
            var token = AntiforgeryToken.In(await form.Content.ReadAsStringAsync());
            using var post = new HttpRequestMessage(HttpMethod.Post, "/dashboard/sign-in")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["password"] = Password, ["__RequestVerificationToken"] = token, ["returnUrl"] = "/dashboard",
                }),
            };
            post.Headers.Add("Cookie", Header(jar));
            using var signedIn = await client.SendAsync(post);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Keep(signedIn, jar);
        }

        Assert.True(jar.ContainsKey("rapport_dashboard"), "signed in: the session cookie is set");
        using var page = await GetAsync(server, "/dashboard", Header(jar));
        var pageToken = AntiforgeryToken.In(await page.Content.ReadAsStringAsync());
        Assert.NotEmpty(pageToken);
        return (Header(jar), pageToken);
    }

    private static async Task<HttpResponseMessage> GetAsync(ApiServer server, string path, string cookies)
    {
        using var client = NoRedirects(server);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookies);
        return await client.SendAsync(request);
    }

    private static HttpClient NoRedirects(ApiServer server) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Address };

    private static void Keep(HttpResponseMessage reply, Dictionary<string, string> jar)
    {
        foreach (var header in reply.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';', 2)[0].Split('=', 2);
            jar[pair[0]] = pair[1];
        }
    }

    private static string Header(Dictionary<string, string> jar) => string.Join("; ", jar.Select(kv => kv.Key + "=" + kv.Value));

}
