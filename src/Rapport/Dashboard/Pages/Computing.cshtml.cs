using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Rapport.Dashboard.Pages;

/// <summary>Where a page whose figures are still being computed for the first time sends its reader (ReportWaitFilter); it goes back by itself.</summary>
public sealed class ComputingModel : PageModel
{
    public const int ReloadSeconds = 5;

    public string Report { get; private set; } = "";

    /// <summary>The page to go back to: only a dashboard address, never another site.</summary>
    public string Back { get; private set; } = DashboardServices.Root;

    public void OnGet(string? report, string? back)
    {
        Report = report ?? "";
        if (back is { Length: > 0 } && back.StartsWith(DashboardServices.Root, StringComparison.Ordinal) && !back.StartsWith("//", StringComparison.Ordinal) && Url.IsLocalUrl(back))
        {
            Back = back;
        }
    }
}
