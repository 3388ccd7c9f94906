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
/// </summary>
public sealed class SignInModel(AdminCredentials credentials, StaffAccounts staff, TimeProvider clock) : PageModel
{
    public bool Expired { get; private set; }

    public string? Error { get; private set; }

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
        if (!string.IsNullOrEmpty(Email))
        {
            if (await staff.VerifyAsync(Email, password, ct) is { } member)
            {
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardUser.For(member), DashboardServices.Session(clock));
                return LocalRedirect(ReturnUrl);
            }

            // The same words for an unknown email and a wrong password: no way to learn who works here.
            Error = "That email and password do not match a staff member. Check both for typos, or ask an admin for a new password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        if (await credentials.VerifyAsync(password, ct))
        {
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardServices.Admin(), DashboardServices.Session(clock));
            return LocalRedirect(ReturnUrl);
        }

        Error = await credentials.ExistsAsync(ct)
            ? "That password is not right. Check for typos and try again."
            : "No admin password is set yet. Set Rapport__AdminPassword, or run `rapport dashboard password` to create one.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    /// <summary>Only our own pages: an open redirect to another site would help phishing.</summary>
    private static string SafeReturn(string? url) =>
        url is not null && url.StartsWith(DashboardServices.Root, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            ? url
            : DashboardServices.Root;
}
