using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Segments;

namespace Rapport.Dashboard.Pages.Segments;

/// <summary>
/// One saved segment and its members, 25 a page in customer id order. An id that is no segment
/// renders "Segment not found" with 404; a damaged page cursor starts from the first page with a note.
/// </summary>
public sealed class SegmentMembersModel(SegmentStore segments, SegmentMemberList members) : PageModel
{
    public SegmentView? Segment { get; private set; }

    public IReadOnlyList<SegmentMemberRow> Members { get; private set; } = [];

    public bool More { get; private set; }

    public long After { get; private set; }

    public string? Note { get; private set; }

    public async Task OnGetAsync(long id, string? after, CancellationToken ct)
    {
        Segment = await segments.GetAsync(id, ct);
        if (Segment is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!string.IsNullOrEmpty(after) && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            Note = $"“{after}” is not a page position; showing the first page.";
        }
        else
        {
            After = string.IsNullOrEmpty(after) ? 0 : long.Parse(after, CultureInfo.InvariantCulture);
        }

        (Members, More) = await members.PageAsync(id, After, ct);
    }
}
