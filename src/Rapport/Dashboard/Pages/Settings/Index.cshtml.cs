using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Dashboard;
using Rapport.Core.Keys;
using Rapport.Core.Storage;

namespace Rapport.Dashboard.Pages.Settings;

/// <summary>API keys (list, create — shown once —, revoke) and which store this server uses.</summary>
public sealed class SettingsModel(ApiKeys keys, IDatabase database, AdminCredentials credentials) : PageModel
{
    public IReadOnlyList<ApiKeyInfo> Keys { get; private set; } = [];

    public string Store => database.DisplayName;

    public bool PasswordFromConfiguration => credentials.FromConfiguration;

    public string? NewKey { get; private set; }

    public string? Error { get; private set; }

    public string? Message { get; private set; }

    /// <summary>How collection calls are answered and what waits for projection (docs/ingestion.md); filled on GET.</summary>
    public string? Ingestion { get; private set; }

    public async Task OnGetAsync(string? revoked, CancellationToken ct)
    {
        Message = revoked is null ? null : $"Key {revoked} is revoked; requests with it are refused within a minute.";
        Keys = await keys.ListAsync(ct);
        Ingestion = await Rapport.Http.IngestStatus.DescribeAsync(HttpContext.RequestServices, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(string? kind, string? name, CancellationToken ct)
    {
        KeyKind? parsed = kind switch { "write" => KeyKind.Write, "admin" => KeyKind.Admin, _ => null };
        name = name?.Trim();
        if (parsed is null || string.IsNullOrEmpty(name) || name.Length > 100)
        {
            Error = parsed is null ? "Kind: choose write (send events only) or admin (everything)." : "Name: give the key a name of 1 to 100 characters, e.g. the site or person using it.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            (NewKey, _) = await keys.CreateAsync(parsed.Value, name, ct);
        }

        Keys = await keys.ListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        if (!await keys.RevokeAsync(id, ct))
        {
            Error = $"Key {id} does not exist or is already revoked.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            Keys = await keys.ListAsync(ct);
            return Page();
        }

        return Redirect($"/dashboard/settings?revoked={id}");
    }
}
