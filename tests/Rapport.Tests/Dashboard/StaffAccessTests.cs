using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Rapport.Core.Dashboard;
using Rapport.Core.Keys;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Tests.Http;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// Staff sign-in over real HTTP (no browser): who may open what. Pages are signed-in only (a
/// redirect to the sign-in page, the cookie scheme's 401); admin-only pages answer a staff
/// member with a clear 403 page at the same address.
/// </summary>
public sealed partial class StaffAccessTests : IAsyncLifetime
{
    private const string AdminPassword = "admin secret 1";
    private ApiServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ApiServer.StartAsync(configure: services =>
            services.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), AdminPassword)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private StaffAccounts Accounts => _server.App.Services.GetRequiredService<StaffAccounts>();

    [Theory]
    [InlineData("/dashboard/settings")]
    [InlineData("/dashboard/settings/staff")]
    [InlineData("/dashboard/erasure")]
    public async Task StaffMember_OnAnAdminOnlyPage_Gets403WithAClearPage(string path)
    {
        var grace = await Accounts.AddAsync("Grace Hopper", "grace@shop.example", StaffRoles.Staff);
        using var browser = await SignInAsync("grace@shop.example", grace.Password);

        using var reply = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        var page = await reply.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Admins only</h1>", page, StringComparison.Ordinal);
        Assert.Contains("Grace Hopper", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaffMember_CannotPostAdminActions_NorAddStaffFromTheInbox()
    {
        var grace = await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        using var browser = await SignInAsync("grace@shop.example", grace.Password);
        var keysBefore = (await _server.App.Services.GetRequiredService<ApiKeys>().ListAsync()).Count;
        var token = Token(await browser.GetStringAsync("/dashboard/inbox"));

        using var createKey = await browser.PostAsync("/dashboard/settings?handler=Create", Form(token, ("kind", "admin"), ("name", "sneaky")));
        using var addStaff = await browser.PostAsync("/dashboard/settings/staff?handler=Add", Form(token, ("name", "Mallory"), ("email", "m@shop.example"), ("role", "admin")));
        using var inboxAdd = await browser.PostAsync("/dashboard/inbox?handler=AddStaff", Form(token, ("name", "Mallory"), ("email", "m@shop.example")));

        Assert.Equal(HttpStatusCode.Forbidden, createKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, addStaff.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, inboxAdd.StatusCode);
        Assert.Equal(keysBefore, (await _server.App.Services.GetRequiredService<ApiKeys>().ListAsync()).Count);
        Assert.Single(await Accounts.ListAsync());
    }

    [Fact]
    public async Task StaffMember_UsesInboxCustomersAndSegments_AsThemselves()
    {
        var grace = await Accounts.AddAsync("Grace Hopper", "grace@shop.example", StaffRoles.Staff);
        using var browser = await SignInAsync("grace@shop.example", grace.Password);

        foreach (var path in new[] { "/dashboard", "/dashboard/customers", "/dashboard/segments" })
        {
            using var reply = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            Assert.Contains("Grace Hopper <span class=\"muted\">(staff)</span>", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var inbox = await browser.GetStringAsync("/dashboard/inbox");
        Assert.Contains($"data-staff=\"{grace.Account.Id}\"", inbox, StringComparison.Ordinal); // "me" is the signed-in member
        Assert.DoesNotContain("Working as", inbox, StringComparison.Ordinal);
        Assert.DoesNotContain("/dashboard/settings", inbox, StringComparison.Ordinal); // no Settings or Staff entries in the navigation
        Assert.DoesNotContain("/dashboard/erasure", inbox, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotSignedIn_IsSentToSignIn_AndAWrongPasswordIs401()
    {
        await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        using var anonymous = Browser();

        using var page = await anonymous.GetAsync("/dashboard/settings/staff");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/dashboard/sign-in", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var token = Token(await anonymous.GetStringAsync("/dashboard/sign-in"));
        foreach (var (email, password) in new[] { ("grace@shop.example", "wrong"), ("nobody@shop.example", "wrong") })
        {
            using var wrong = await anonymous.PostAsync("/dashboard/sign-in", Form(token, ("email", email), ("password", password)));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("That email and password do not match a staff member", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Admins_ManageStaff_ANewPasswordEndsTheOldSession_APromotionAppliesAtOnce()
    {
        using var admin = await SignInAsync(null, AdminPassword);
        var token = Token(await admin.GetStringAsync("/dashboard/settings/staff"));
        using var added = await admin.PostAsync("/dashboard/settings/staff?handler=Add", Form(token, ("name", "Grace"), ("email", "grace@shop.example"), ("role", "staff")));
        var shown = PasswordShown().Match(await added.Content.ReadAsStringAsync()).Groups[1].Value;
        using var bad = await admin.PostAsync("/dashboard/settings/staff?handler=Add", Form(token, ("name", "X"), ("email", "not-an-email"), ("role", "staff")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("grace@shop.example", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the list is still there

        using var grace = await SignInAsync("grace@shop.example", shown);
        var id = Assert.Single(await Accounts.ListAsync()).Id;
        using (var forbidden = await grace.GetAsync("/dashboard/settings"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var promote = await admin.PostAsync($"/dashboard/settings/staff?handler=Role&id={id}", Form(token, ("role", "admin"))))
        {
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        }

        using (var allowed = await grace.GetAsync("/dashboard/settings"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var renewed = await admin.PostAsync($"/dashboard/settings/staff?handler=Password&id={id}", Form(token));
        var next = PasswordShown().Match(await renewed.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEqual(shown, next);
        using var signedOut = await grace.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode); // the old password's session has ended
        using var again = await SignInAsync("grace@shop.example", next);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task SignedInStaff_AreOnlineInTheChatAsThemselves_WhateverStaffIdTheyClaim()
    {
        var grace = await Accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        var alan = await Accounts.AddAsync("Alan", "alan@shop.example", StaffRoles.Staff);
        var cookies = new CookieContainer();
        using var browser = await SignInAsync("grace@shop.example", grace.Password, cookies);
        var presence = _server.App.Services.GetRequiredService<Rapport.Http.Chat.ChatPresence>();

        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_server.Address, $"/dashboard/chat/hub?staffId={alan.Account.Id}"), o => o.Cookies = cookies)
            .Build();
        await using (hub)
        {
            await hub.StartAsync();
            // OnConnectedAsync runs just after the handshake that ends StartAsync: wait for it (30 s at most).
            for (var i = 0; i < 300 && !presence.IsOnline(grace.Account.Id); i++)
            {
                await Task.Delay(100);
            }

            Assert.True(presence.IsOnline(grace.Account.Id));
            Assert.False(presence.IsOnline(alan.Account.Id));
        }
    }

    private HttpClient Browser(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _server.Address };

    /// <summary>A client with a cookie jar, signed in as a staff member (email) or the built-in admin (no email).</summary>
    private async Task<HttpClient> SignInAsync(string? email, string password, CookieContainer? cookies = null)
    {
        var browser = Browser(cookies);
        var token = Token(await browser.GetStringAsync("/dashboard/sign-in"));
        using var reply = await browser.PostAsync("/dashboard/sign-in", Form(token, ("email", email ?? ""), ("password", password), ("returnUrl", "/dashboard")));
        Assert.Equal(HttpStatusCode.Redirect, reply.StatusCode);
        return browser;
    }

    private static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__RequestVerificationToken", token)));

    private static string Token(string html) => AntiforgeryToken.In(html);


    [GeneratedRegex("<pre class=\"key\" id=\"new-password\">([^<]+)</pre>")]
    private static partial Regex PasswordShown();
}
