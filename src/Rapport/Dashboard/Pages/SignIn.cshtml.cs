using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Dashboard;
using Rapport.Core.Staff;

namespace Rapport.Dashboard.Pages;

/// <summary>
/// Sign-in: a staff member with their email and password, or the built-in admin with the admin
/// password and no email; a cookie session of <see cref="DashboardServices.SessionLength"/>.
/// At most <see cref="SignInLimit.MaxFailures"/> failures per account at one address (and wider
/// limits per address and per account, <see cref="SignInLimit"/>) in <see cref="SignInLimit.Window"/>:
/// then 429 and the time to try again (docs/staff.md).
/// </summary>
public sealed class SignInModel(AdminCredentials credentials, StaffAccounts staff, SignInThrottle throttle, TimeProvider clock) : PageModel
{
    public bool Expired { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Set when too many sign-ins failed: when to try again.</summary>
    public DateTimeOffset? LockedUntil { get; private set; }

    public string? Email { get; private set; }

    public string ReturnUrl { get; private set; } = DashboardServices.Root;

    public void OnGet(string? returnUrl, string? expired)
    {
        ReturnUrl = SafeReturn(returnUrl);
        Expired = expired == "1";
    }

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = SafeReturn(returnUrl);
        Email = email?.Trim();
        var account = SignInLimit.Account(Email);
        var address = SignInLimit.Address(HttpContext.Connection.RemoteIpAddress?.ToString());
        // Checked before the password: a locked account is not guessed at, not even rightly.
        if (await throttle.LockedUntilAsync(account, address, ct) is { } until)
        {
            return Locked(until);
        }

        if (!string.IsNullOrEmpty(Email))
        {
            var member = await staff.VerifyAsync(Email, password, ct);
            if (member is { Disabled: false })
            {
                await throttle.ResetAsync(account, address, ct);
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardUser.For(member), DashboardServices.Session(clock));
                return LocalRedirect(ReturnUrl);
            }

            if (member is { Disabled: true })
            {
                // The right password: telling them why is no leak, and saves a support call.
                Error = "Your staff account is disabled. Ask an admin to enable it again (Settings → Staff).";
                Response.StatusCode = StatusCodes.Status403Forbidden;
                return Page();
            }

            // The same words for an unknown email and a wrong password: no way to learn who works here.
            return await FailedAsync(account, address, "That email and password do not match a staff member. Check both for typos, or ask an admin for a new password.", ct);
        }

        if (await credentials.VerifyAsync(password, ct))
        {
            await throttle.ResetAsync(account, address, ct);
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardServices.Admin(), DashboardServices.Session(clock));
            return LocalRedirect(ReturnUrl);
        }

        return await FailedAsync(account, address, await credentials.ExistsAsync(ct)
            ? "That password is not right. Check for typos and try again."
            : "No admin password is set yet. Set Rapport__AdminPassword, or run `rapport dashboard password` to create one.", ct);
    }

    private async Task<IActionResult> FailedAsync(string account, string address, string error, CancellationToken ct)
    {
        await throttle.RecordFailureAsync(account, address, ct);
        Error = error;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private IActionResult Locked(DateTimeOffset until)
    {
        LockedUntil = until;
        var seconds = Math.Max(1, (int)Math.Ceiling((until - clock.GetUtcNow()).TotalSeconds));
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Page();
    }

    /// <summary>Minutes to wait, rounded up, for the page's words.</summary>
    public int MinutesLeft => LockedUntil is { } u ? Math.Max(1, (int)Math.Ceiling((u - clock.GetUtcNow()).TotalMinutes)) : 0;

    /// <summary>Only our own pages: an open redirect to another site would help phishing.</summary>
    private static string SafeReturn(string? url) =>
        url is not null && url.StartsWith(DashboardServices.Root, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            ? url
            : DashboardServices.Root;
}
