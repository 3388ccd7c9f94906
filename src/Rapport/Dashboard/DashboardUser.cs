using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Rapport.Core.Staff;

namespace Rapport.Dashboard;

/// <summary>
/// Who is signed in to the dashboard, as cookie claims: a name, a role (admin or staff) and, for
/// a staff member, their id and password stamp. The built-in admin (the one admin password) has
/// no staff id: in the inbox it still chooses whom it works as.
/// </summary>
public static class DashboardUser
{
    public const string AdminPolicy = "dashboard-admin";
    public const string StaffIdClaim = "rapport:staff_id";
    public const string StampClaim = "rapport:password_stamp";

    public static ClaimsPrincipal BuiltInAdmin() =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, StaffRoles.Admin)], CookieAuthenticationDefaults.AuthenticationScheme));

    public static ClaimsPrincipal For(StaffAccount member) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, member.Name),
                new Claim(ClaimTypes.Email, member.Email ?? ""),
                new Claim(ClaimTypes.Role, member.Role),
                new Claim(StaffIdClaim, member.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(StampClaim, member.Stamp),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>The signed-in staff member's id; null for the built-in admin or nobody.</summary>
    public static long? StaffId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(StaffIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(StaffRoles.Admin);

    /// <summary>
    /// On every request of a staff member's session: a member whose password was replaced, who was
    /// disabled (or who is gone) is signed out; a changed role or name takes effect at once, not at the next sign-in.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal?.StaffId() is not { } id)
        {
            return;
        }

        var accounts = context.HttpContext.RequestServices.GetRequiredService<StaffAccounts>();
        var member = await accounts.GetAsync(id, context.HttpContext.RequestAborted);
        if (member is null || member.Disabled || !member.HasPassword || member.Stamp != context.Principal.FindFirstValue(StampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        if (member.Role != context.Principal.FindFirstValue(ClaimTypes.Role) || member.Name != context.Principal.Identity?.Name)
        {
            context.ReplacePrincipal(For(member));
            context.ShouldRenew = true;
        }
    }

    /// <summary>
    /// A signed-in person without the right to a page: a clear 403 page at the same address
    /// (not a redirect to the sign-in page, which would look like being signed out).
    /// </summary>
    public static async Task ForbiddenAsync(HttpContext http)
    {
        var who = WebUtility.HtmlEncode(http.User.Identity?.Name ?? "you");
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Admins only · Rapport</title><link rel="stylesheet" href="{DashboardServices.Root}/site.css"></head>
            <body><main id="main"><div class="card" id="forbidden" role="alert">
            <h1>Admins only</h1>
            <p>You are signed in as <strong id="forbidden-user">{who}</strong> with the staff role. This page (settings, staff, API keys or erasure) is for admins.</p>
            <p>Ask an admin to do it for you, or to give you the admin role on the Staff page.</p>
            <p><a href="{DashboardServices.Root}">Back to the overview</a> · <a href="{DashboardServices.Root}/inbox">Inbox</a></p>
            </div></main></body></html>
            """, http.RequestAborted);
    }
}
