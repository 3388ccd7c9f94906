using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Segments;
using Rapport.Engine.Segments;

namespace Rapport.Dashboard.Pages.Segments;

/// <summary>
/// Segments with their sizes, and the builder: a definition in the text form, a size preview
/// (the same evaluation a saved segment gets, SegmentService.PreviewAsync) and save. Mistakes are
/// shown with their line and column, as the API reports them.
/// </summary>
public sealed class SegmentsModel(SegmentStore store, SegmentService segments) : PageModel
{
    /// <summary>Beyond this many customers the preview evaluates a random sample (SegmentEstimate), so it answers in well under a second at a million; a saved segment's count is exact.</summary>
    public const long ExactUpTo = 50_000;

    public IReadOnlyList<SegmentView> Saved { get; private set; } = [];

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Text { get; set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public SegmentPreview? Preview { get; private set; }

    public string? JustSaved { get; private set; }

    public SegmentFields Fields => segments.Fields;

    public async Task OnGetAsync(string? text, string? saved, CancellationToken ct)
    {
        Text = text;
        JustSaved = saved;
        Saved = await store.ListAsync(ct);
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        if (Parse() is { } definition)
        {
            Preview = await segments.PreviewAsync(definition, 10, ct, ExactUpTo);
        }

        return await PageAsync(ct);
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        var name = Name?.Trim();
        var definition = Parse();
        if (string.IsNullOrEmpty(name) || name.Length > SegmentService.MaxNameLength)
        {
            Errors = [$"Name: give the segment a name of 1 to {SegmentService.MaxNameLength} characters.", .. Errors];
        }

        if (Errors.Count > 0 || definition is null)
        {
            return await PageAsync(ct);
        }

        if (await segments.CreateAsync(name!, definition, ct) is null)
        {
            Errors = [$"Name: a segment named “{name}” exists already; pick another name."];
            return await PageAsync(ct);
        }

        return Redirect($"/dashboard/segments?saved={Uri.EscapeDataString(name!)}");
    }

    private SegmentDefinition? Parse()
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            Errors = ["Definition: line 1, column 1: write a definition, e.g. value.orders >= 2 and bought(last 90 days)."];
            return null;
        }

        var parsed = segments.Read(null, Text);
        Errors = parsed.Errors.Select(e => $"Definition: {e}").ToList();
        return parsed.Definition;
    }

    private async Task<IActionResult> PageAsync(CancellationToken ct)
    {
        Saved = await store.ListAsync(ct);
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return Page();
    }
}
