using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Staff;

namespace Rapport.Dashboard.Pages.Settings;

/// <summary>
/// Admins manage who signs in: add a staff member (email, role) or make a new password, each
/// shown once on the page that made it; change a member's role; disable or enable a member.
/// Admin-only like all of Settings.
/// </summary>
public sealed class StaffModel(StaffAccounts accounts) : PageModel
{
    public IReadOnlyList<StaffAccount> Members { get; private set; } = [];

    /// <summary>Whose password was just made, and the password: shown once.</summary>
    public (StaffAccount Member, string Password)? Issued { get; private set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Members = await accounts.ListAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string? name, string? email, string? role, CancellationToken ct)
    {
        try
        {
            var added = await accounts.AddAsync(name, email, role, ct);
            Issued = (added.Account, added.Password);
        }
        catch (StaffException e)
        {
            Fail(e.Message, StatusCodes.Status400BadRequest);
        }

        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostPasswordAsync(long id, CancellationToken ct)
    {
        try
        {
            if (await accounts.NewPasswordAsync(id, ct) is { } password)
            {
                Issued = ((await accounts.GetAsync(id, ct))!, password);
            }
            else
            {
                Fail($"There is no staff member {id}.", StatusCodes.Status404NotFound);
            }
        }
        catch (StaffException e)
        {
            Fail(e.Message, StatusCodes.Status400BadRequest);
        }

        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostRoleAsync(long id, string? role, CancellationToken ct)
    {
        try
        {
            if (await accounts.SetRoleAsync(id, role, ct))
            {
                Message = $"Staff member {id} is now {role}; it applies to their next page.";
            }
            else
            {
                Fail($"There is no staff member {id}.", StatusCodes.Status404NotFound);
            }
        }
        catch (StaffException e)
        {
            Fail(e.Message, StatusCodes.Status400BadRequest);
        }

        return await ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostDisabledAsync(long id, bool disabled, CancellationToken ct)
    {
        if (disabled && User.StaffId() == id)
        {
            // Locking yourself out by a slip of the mouse helps nobody; another admin can do it.
            Fail("You cannot disable yourself; ask another admin.", StatusCodes.Status400BadRequest);
        }
        else if (await accounts.SetDisabledAsync(id, disabled, ct))
        {
            if (disabled)
            {
                // Their open chat connections end now (their pages at the next request).
                HttpContext.RequestServices.GetRequiredService<Http.Chat.ChatPresence>().EndConnections(id);
            }

            var name = (await accounts.GetAsync(id, ct))!.Name;
            Message = disabled
                ? $"{name} is disabled: signed out everywhere, cannot sign in, chats no longer go to them."
                : $"{name} is enabled again and can sign in with their password.";
        }
        else
        {
            Fail($"There is no staff member {id}.", StatusCodes.Status404NotFound);
        }

        return await ShowAsync(ct);
    }

    private void Fail(string error, int status)
    {
        Error = error;
        Response.StatusCode = status;
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        Members = await accounts.ListAsync(ct);
        return Page();
    }
}
