using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Staff;

namespace Rapport.Dashboard.Pages.Account;

/// <summary>
/// A signed-in staff member changes their own password: the current one is required (wrong
/// guesses count towards the sign-in limit), the new one is typed twice. Their other sessions
/// end; this one continues with the new password's stamp.
/// </summary>
public sealed class PasswordModel(StaffAccounts accounts, SignInThrottle throttle, TimeProvider clock) : PageModel
{
    public bool IsStaffMember => User.StaffId() is not null;

    public string? Error { get; private set; }

    public bool Changed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? current, string? next, string? confirm, CancellationToken ct)
    {
        if (User.StaffId() is not { } id)
        {
            return Fail("The built-in admin's password is changed with `rapport dashboard password` (or Rapport__AdminPassword), not here.", StatusCodes.Status400BadRequest);
        }

        var account = SignInLimit.Account(User.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value);
        var address = SignInLimit.Address(HttpContext.Connection.RemoteIpAddress?.ToString());
        if (await throttle.LockedUntilAsync(account, address, ct) is { } until)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling((until - clock.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Fail($"Too many wrong passwords: try again after {until.UtcDateTime:HH:mm} UTC.", StatusCodes.Status429TooManyRequests);
        }

        if (next != confirm)
        {
            return Fail("The two new passwords differ; type the same one in both fields.", StatusCodes.Status400BadRequest);
        }

        try
        {
            var member = await accounts.ChangeOwnPasswordAsync(id, current, next, ct);
            // A new cookie with the new stamp: this session goes on, the others end.
            await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardUser.For(member), DashboardServices.Session(clock));
            Changed = true;
            return Page();
        }
        catch (StaffException e)
        {
            if (e.Title == "Wrong password")
            {
                // Someone at an open session guessing the password counts like guesses at sign-in.
                await throttle.RecordFailureAsync(account, address, ct);
            }

            return Fail(e.Message, StatusCodes.Status400BadRequest);
        }
    }

    private PageResult Fail(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}
