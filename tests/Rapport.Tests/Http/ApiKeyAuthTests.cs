using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rapport.Core.Keys;

namespace Rapport.Tests.Http;

/// <summary>The per-request key check: every header form, and a revocation seen within the minute the check is remembered.</summary>
public sealed class ApiKeyAuthTests
{
    [Fact]
    public async Task KeyForms_BasicBearerMalformed_AndRevocationAppliesWithinAMinute()
    {
        await using var s = await ApiServer.StartAsync();
        async Task<HttpStatusCode> GetAsync(string scheme, string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(s.Address, "/v1/actions"));
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, value);
            using var client = new HttpClient();
            return (await client.SendAsync(request)).StatusCode;
        }

        string Basic(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Basic", Basic(s.AdminKey + ":")));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Basic", Basic(s.AdminKey))); // no colon: the whole is the user name
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Basic", Basic(s.AdminKey + ":ignored-password")));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Bearer", s.AdminKey));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("Basic", Basic(s.WriteKey + ":")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("Basic", "not base64!"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("Basic", Basic(":password-only")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("Basic", Basic("rk_admin_" + new string('0', 48) + ":")));

        // Revoked elsewhere (the CLI: another process, so not this server's memory): the check
        // remembered for a minute still passes, the next one after it fails.
        var keys = new ApiKeys(s.Db, s.Clock);
        var admin = (await keys.ListAsync()).Single(k => k.Kind == KeyKind.Admin);
        Assert.True(await keys.RevokeAsync(admin.Id));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("Bearer", s.AdminKey));
        s.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("Bearer", s.AdminKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("Basic", Basic(s.AdminKey + ":")));
    }

    [Fact]
    public async Task AnAddressSendingManyUnknownKeys_IsRefusedForTheRestOfTheMinute_WithRetryAfter_ThenLetIn()
    {
        await using var s = await ApiServer.StartAsync();
        using var stranger = s.Client("rk_admin_" + new string('7', 48));
        for (var i = 0; i < FailedKeyAttempts.DefaultLimit; i++)
        {
            using var guess = await stranger.GetAsync("/v1/actions");
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
            s.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // The limit reached within the minute: refused before any key lookup, the valid key too
        // (the same address), with how long to wait; health stays open.
        using var refused = await stranger.GetAsync("/v1/actions");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var wait = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(wait, 1, 41);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("unknown API keys", problem, StringComparison.Ordinal);
        Assert.Contains("rapport keys list", problem, StringComparison.Ordinal);
        using (var admin = await s.Admin.GetAsync("/v1/actions"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, admin.StatusCode);
        }

        using (var health = await s.Client(null).GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // After the window the address may try again, and a valid key works.
        s.Clock.Advance(TimeSpan.FromSeconds(wait));
        using (var admin = await s.Admin.GetAsync("/v1/actions"))
        {
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        using var again = await stranger.GetAsync("/v1/actions");
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }
}
