using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Staff;
using Rapport.Tests.Conversations;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// Disabling members, the sign-in limit, changing one's own password and /v1/staff over real HTTP
/// (the same server and helpers as the access tests).
/// </summary>
public sealed partial class StaffAccessTests
{
    [Fact]
    public async Task StaffApi_ShowsAndSetsRoleAndDisabled_AdminKeyOnly_ProblemDetailsForBadInput()
    {
        var grace = await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        var id = grace.Account.Id;

        var listed = Assert.Single((await _server.Admin.GetFromJsonAsync<JsonArray>("/v1/staff"))!)!;
        Assert.Equal("staff", listed["role"]!.GetValue<string>());
        Assert.False(listed["disabled"]!.GetValue<bool>());
        Assert.True(listed["canSignIn"]!.GetValue<bool>());

        using var changed = await _server.Admin.PatchAsJsonAsync($"/v1/staff/{id}", new { role = "admin", disabled = true });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var member = (await _server.Admin.GetFromJsonAsync<JsonObject>($"/v1/staff/{id}"))!;
        Assert.Equal("admin", member["role"]!.GetValue<string>());
        Assert.True(member["disabled"]!.GetValue<bool>());
        Assert.False(member["canSignIn"]!.GetValue<bool>());

        foreach (var (body, says) in new[]
        {
            ("""{"role": "owner"}""", "Bad role"),
            ("""{"disabled": "yes"}""", "Bad disabled"),
            ("""{"disabled": false, "name": "Eve"}""", "Unknown field(s) name"),
            ("{}", "changes nothing"),
            ("{not json", "Invalid JSON"),
        })
        {
            using var bad = await _server.Admin.PatchAsync($"/v1/staff/{id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Contains(says, await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.True((await Accounts.GetAsync(id))!.Disabled); // the refused bodies changed nothing (disabled: false was in one)
        using var missing = await _server.Admin.PatchAsJsonAsync("/v1/staff/999999", new { disabled = true });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var writeKey = await _server.Writer.PatchAsJsonAsync($"/v1/staff/{id}", new { disabled = false });
        Assert.False(writeKey.IsSuccessStatusCode);
        Assert.True((await Accounts.GetAsync(id))!.Disabled);
    }

    [Fact]
    public async Task DisablingAMember_EndsTheirOpenSession_SignInSaysWhy_TheirCustomerShowsManagerDisabled_EnablingLetsThemBackIn()
    {
        var grace = await Accounts.AddAsync("Grace Hopper", "grace@shop.example", StaffRoles.Staff);
        var ada = await ConversationApiTests.CustomerAsync(_server, "ada", "ada@example.com");
        (await _server.Admin.PutAsJsonAsync($"/v1/customers/{ada}/manager", new { staffId = grace.Account.Id })).EnsureSuccessStatusCode();
        using var session = await SignInAsync("grace@shop.example", grace.Password);
        using var admin = await SignInAsync(null, AdminPassword);
        var token = Token(await admin.GetStringAsync("/dashboard/settings/staff"));

        using (var disable = await admin.PostAsync($"/dashboard/settings/staff?handler=Disabled&id={grace.Account.Id}", Form(token, ("disabled", "true"))))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
            Assert.Contains("Grace Hopper is disabled", await disable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var next = await session.GetAsync("/dashboard/inbox"))
        {
            Assert.Equal(HttpStatusCode.Redirect, next.StatusCode); // her open session has ended
            Assert.StartsWith("/dashboard/sign-in", next.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        using var again = Browser();
        var signInToken = Token(await again.GetStringAsync("/dashboard/sign-in"));
        using (var refused = await again.PostAsync("/dashboard/sign-in", Form(signInToken, ("email", "grace@shop.example"), ("password", grace.Password))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("Your staff account is disabled", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var profile = await admin.GetStringAsync($"/dashboard/customers/{ada}");
        Assert.Contains("data-testid=\"manager-disabled\">manager disabled", profile, StringComparison.Ordinal);
        using (var self = await admin.PostAsync($"/dashboard/settings/staff?handler=Disabled&id={grace.Account.Id}", Form(token, ("disabled", "false"))))
        {
            Assert.Contains("Grace Hopper is enabled again", await self.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var back = await SignInAsync("grace@shop.example", grace.Password);
        Assert.Equal(HttpStatusCode.OK, (await back.GetAsync("/dashboard/inbox")).StatusCode);
        Assert.DoesNotContain("manager-disabled", await admin.GetStringAsync($"/dashboard/customers/{ada}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiveWrongPasswords_Give429AndWhenToRetry_EvenForTheRightOne_UntilTheWindowPasses_ThenSuccessResets()
    {
        var grace = await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        using var browser = Browser();
        var token = Token(await browser.GetStringAsync("/dashboard/sign-in"));
        async Task<HttpResponseMessage> TryAsync(string email, string password) =>
            await browser.PostAsync("/dashboard/sign-in", Form(token, ("email", email), ("password", password)));

        for (var i = 0; i < SignInLimit.MaxFailures; i++)
        {
            using var wrong = await TryAsync("grace@shop.example", "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var locked = await TryAsync("grace@shop.example", grace.Password))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
            var page = await locked.Content.ReadAsStringAsync();
            Assert.Contains("Too many failed sign-ins", page, StringComparison.Ordinal);
            Assert.Contains("<strong id=\"retry-at\">12:15 UTC</strong>", page, StringComparison.Ordinal); // the server's clock starts at 12:00
        }

        // The lock is Grace's at this address: five guesses at her do not lock the admin out (SignInLimit).
        using (var admin = Browser())
        {
            var adminToken = Token(await admin.GetStringAsync("/dashboard/sign-in"));
            using var sameAddress = await admin.PostAsync("/dashboard/sign-in", Form(adminToken, ("email", ""), ("password", AdminPassword)));
            Assert.Equal(HttpStatusCode.Redirect, sameAddress.StatusCode);
        }

        _server.Clock.Advance(SignInLimit.Window);
        using (var ok = await TryAsync("grace@shop.example", grace.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        }
    }

    [Fact]
    public async Task OwnPassword_NeedsTheCurrentOne_EndsOtherSessions_KeepsThisOne()
    {
        var grace = await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        using var other = await SignInAsync("grace@shop.example", grace.Password);
        using var here = await SignInAsync("grace@shop.example", grace.Password);
        var token = Token(await here.GetStringAsync("/dashboard/account/password"));
        const string Next = "a much longer passphrase";

        using (var wrong = await here.PostAsync("/dashboard/account/password", Form(token, ("current", "guess"), ("next", Next), ("confirm", Next))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("Your current password is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var differ = await here.PostAsync("/dashboard/account/password", Form(token, ("current", grace.Password), ("next", Next), ("confirm", Next + "x"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, differ.StatusCode);
            Assert.Contains("The two new passwords differ", await differ.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var changed = await here.PostAsync("/dashboard/account/password", Form(token, ("current", grace.Password), ("next", Next), ("confirm", Next))))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            Assert.Contains("id=\"password-changed\"", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/dashboard/inbox")).StatusCode); // this session goes on
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/dashboard/inbox")).StatusCode); // the other one has ended
        Assert.NotNull(await Accounts.VerifyAsync("grace@shop.example", Next));

        using var admin = await SignInAsync(null, AdminPassword);
        Assert.Contains("rapport dashboard password", await admin.GetStringAsync("/dashboard/account/password"), StringComparison.Ordinal);
    }
}
