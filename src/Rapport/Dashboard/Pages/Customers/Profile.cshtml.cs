using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Commerce;
using Rapport.Core.Customers;
using Rapport.Core.Identity;
using Rapport.Core.Segments;
using Rapport.Dashboard.Panels;

namespace Rapport.Dashboard.Pages.Customers;

/// <summary>
/// The 360° profile: identities and merges, traits, value and CLV prediction, segments, orders,
/// the timeline (keyset-paged) and panels other features register. An unknown id renders a
/// "not found" page with status 404.
/// </summary>
public sealed class ProfileModel(
    CustomerQueries customers, CommerceQueries commerce, Merges merges, SegmentStore segments, IEnumerable<IProfilePanel> panels) : PageModel
{
    public const int TimelinePageSize = 25;
    public const int OrdersShown = 20;

    public long Id { get; private set; }

    public CustomerProfile? Profile { get; private set; }

    public IReadOnlyList<MergeRecord> Merges { get; private set; } = [];

    public IReadOnlyList<CustomerSegment> Segments { get; private set; } = [];

    public IReadOnlyList<OrderListItem> Orders { get; private set; } = [];

    public TimelinePage Timeline { get; private set; } = new([], null);

    public string? Cursor { get; private set; }

    public string? BadCursor { get; private set; }

    public List<ProfilePanel> Panels { get; } = [];

    public async Task OnGetAsync(long id, string? cursor, CancellationToken ct)
    {
        Id = id;
        Profile = await customers.GetAsync(id, ct);
        if (Profile is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!CustomerQueries.IsValidCursor(cursor))
        {
            BadCursor = "That timeline page link is damaged; showing the newest events instead.";
            cursor = null;
        }

        Cursor = cursor;
        Merges = await merges.ForCustomerAsync(id, ct);
        Segments = await segments.ForCustomerAsync(id, ct);
        Orders = await commerce.OrdersAsync(id, OrdersShown, ct);
        Timeline = await customers.TimelineAsync(id, TimelinePageSize, cursor, null, null, null, ct);
        foreach (var panel in panels.OrderBy(p => p.Order))
        {
            if (await panel.RenderAsync(id, ct) is { } rendered)
            {
                Panels.Add(rendered);
            }
        }
    }

    /// <summary>Event properties in one line, cut to a readable length.</summary>
    public static string Summary(System.Text.Json.Nodes.JsonNode? properties)
    {
        var text = properties?.ToJsonString() ?? "";
        return text is "{}" or "" ? "" : text.Length > 160 ? text[..157] + "…" : text;
    }
}
