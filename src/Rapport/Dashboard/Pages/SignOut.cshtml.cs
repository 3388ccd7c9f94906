using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Rapport.Dashboard.Pages;

/// <summary>POST only (a link could be followed by a prefetcher); back to the sign-in page.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(DashboardServices.Root);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect(DashboardServices.SignInPath);
    }
}
