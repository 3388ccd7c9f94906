using Dapper;
using Microsoft.Playwright;
using Rapport.Core.Staff;

namespace Rapport.Tests.Dashboard;

/// <summary>
/// In Chromium: a staff member changes their own password from the top bar's link and signs in
/// with the new one; five wrong passwords bring the lock-out page with the time to try again.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class StaffPasswordBrowserTests(DashboardFixture f)
{
    [Fact]
    public async Task StaffChangesTheirOwnPassword_ThenFiveWrongPasswordsShowTheLockOutPage()
    {
        var accounts = f.Server.App.Services.GetRequiredService<StaffAccounts>();
        var member = await accounts.AddAsync("Pat Password", "pat@shop.example", StaffRoles.Staff);
        await ClearFailuresAsync(); // other tests' wrong passwords from this address must not count here
        try
        {
            var page = await f.NewPageAsync(signIn: false);
            await SignInAsync(page, "pat@shop.example", member.Password);
            await page.ReachAsync("**/dashboard");

            await page.Locator("#own-password").ClickAsync();
            await page.ReachAsync("**/dashboard/account/password");
            await page.GetByLabel("Current password").FillAsync(member.Password);
            await page.Locator("#next").FillAsync("pat's own long passphrase");
            await page.Locator("#confirm").FillAsync("pat's own long passphrase");
            await page.GetByRole(AriaRole.Button, new() { Name = "Change my password" }).ClickAsync();
            await Assertions.Expect(page.Locator("#password-changed")).ToBeVisibleAsync();
            await DashboardFixture.ScreenshotAsync(page, "35-own-password-changed");
            await page.GotoAsync("/dashboard/inbox"); // this session goes on
            await Assertions.Expect(page.Locator("#signed-in-as")).ToContainTextAsync("Pat Password (staff)");
            await page.Context.CloseAsync();

            var fresh = await f.NewPageAsync(signIn: false);
            await SignInAsync(fresh, "pat@shop.example", member.Password); // the old one no longer works
            await Assertions.Expect(fresh.Locator("#sign-in-error")).ToBeVisibleAsync();
            await SignInAsync(fresh, "pat@shop.example", "pat's own long passphrase");
            await fresh.ReachAsync("**/dashboard");
            await fresh.Context.CloseAsync();

            var guesser = await f.NewPageAsync(signIn: false);
            // Pat's success above cleared her failures at this address (the old password's one): five new ones lock her here.
            for (var i = 0; i < SignInLimit.MaxFailures; i++)
            {
                Assert.Equal(401, (await SignInAsync(guesser, "pat@shop.example", "guess " + i)).Status);
                await Assertions.Expect(guesser.Locator("#sign-in-error")).ToBeVisibleAsync();
            }

            var locked = await SignInAsync(guesser, "pat@shop.example", "pat's own long passphrase");
            Assert.Equal(429, locked.Status); // even the right password, while locked
            await Assertions.Expect(guesser.Locator("#locked")).ToContainTextAsync("Too many failed sign-ins");
            await Assertions.Expect(guesser.Locator("#retry-at")).ToContainTextAsync("UTC");
            await DashboardFixture.ScreenshotAsync(guesser, "36-sign-in-locked");
            await guesser.Context.CloseAsync();
        }
        finally
        {
            await ClearFailuresAsync(); // the other tests sign in from this address too
        }
    }

    /// <summary>Fills and sends the sign-in form; returns the answer to the POST (the page has it before the next step).</summary>
    private static async Task<IResponse> SignInAsync(IPage page, string email, string password)
    {
        if (!page.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal))
        {
            await page.GotoAsync("/dashboard/sign-in");
        }

        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
            r => r.Url.Contains("/dashboard/sign-in", StringComparison.Ordinal) && r.Request.Method == "POST");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return answer;
    }

    private async Task ClearFailuresAsync()
    {
        await using var c = await f.Server.Db.OpenAsync();
        await c.ExecuteAsync("DELETE FROM sign_in_failures");
    }
}
