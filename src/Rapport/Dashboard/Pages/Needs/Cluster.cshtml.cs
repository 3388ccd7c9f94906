using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;
using Rapport.Core.Needs;

namespace Rapport.Dashboard.Pages.Needs;

/// <summary>
/// The customers of one cluster of the current needs model, 25 a page in id order. An index that
/// is not a cluster of the current model (or not a number) renders "Cluster not found" with 404;
/// a damaged page cursor starts from the first page with a note.
/// </summary>
public sealed class ClusterModel(NeedsClusterMembers members) : PageModel
{
    public string Requested { get; private set; } = "";

    public long? ModelId { get; private set; }

    public StoredCluster? Cluster { get; private set; }

    public IReadOnlyList<ClusterMember> Members { get; private set; } = [];

    public bool More { get; private set; }

    public long After { get; private set; }

    public string? Note { get; private set; }

    public async Task OnGetAsync(string index, string? after, CancellationToken ct)
    {
        Requested = index;
        var model = await members.CurrentModelAsync(ct);
        ModelId = model?.Id;
        Cluster = model is { } m && int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? m.Clusters.FirstOrDefault(c => c.Index == i) : null;
        if (Cluster is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!string.IsNullOrEmpty(after) && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var a))
        {
            Note = $"“{after}” is not a page position; showing the first page.";
        }
        else
        {
            After = string.IsNullOrEmpty(after) ? 0 : long.Parse(after, CultureInfo.InvariantCulture);
        }

        (Members, More) = await members.PageAsync(model!.Value.Id, Cluster.Index, After, ct);
    }
}
