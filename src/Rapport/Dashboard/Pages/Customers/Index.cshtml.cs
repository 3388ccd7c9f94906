using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Analytics;
using Rapport.Core.Customers;

namespace Rapport.Dashboard.Pages.Customers;

/// <summary>One row of the search results.</summary>
public sealed record SearchHit(long Id, string? Name, string? Email, string MatchedOn);

/// <summary>
/// Search by any identifier (exact, primary-key lookups) and by name or email (from the start of
/// any word through the search index, or anywhere when asked; paged by customer id with keyset
/// paging so page 100 costs what page 1 does).
/// </summary>
public sealed class CustomerSearchModel(CustomerQueries customers, RelationshipReports reports) : PageModel
{
    /// <summary>Before a search: the customers who brought the most net revenue, from the analytics snapshot (no scan per view).</summary>
    public Cached<AnalyticsSnapshot>? Top { get; private set; }

    public const int PageSize = 25;

    public string? Query { get; private set; }

    public long After { get; private set; }

    /// <summary>Match anywhere in names and emails (a scan) instead of word starts (an index range).</summary>
    public bool Anywhere { get; private set; }

    public long? NextAfter { get; private set; }

    public string? Message { get; private set; }

    public List<SearchHit> Hits { get; } = [];

    public async Task OnGetAsync(string? q, long? after, bool? anywhere, CancellationToken ct)
    {
        Query = q?.Trim();
        Anywhere = anywhere == true;
        After = Math.Max(0, after ?? 0);
        if (string.IsNullOrEmpty(Query))
        {
            Top = await reports.SnapshotAsync(false, ct);
            return;
        }

        if (After == 0)
        {
            await AddExactAsync(Query, ct);
        }

        // A full identifier names one customer: skip the partial search.
        if (Query.Length >= 2 && Hits.Count == 0)
        {
            var page = await customers.SearchAsync(Query, PageSize + 1, ct, After, Anywhere);
            foreach (var h in page.Take(PageSize).Where(h => Hits.All(x => x.Id != h.Id)))
            {
                Hits.Add(new SearchHit(h.Id, h.Name, h.Email, "name or email"));
            }

            NextAfter = page.Count > PageSize ? page[PageSize - 1].Id : null;
        }

        if (Hits.Count == 0)
        {
            Message = Query.Length < 2
                ? $"No customer has the identifier “{Query}”. Type at least 2 characters to search names and emails."
                : Anywhere
                    ? $"No customer matches “{Query}” anywhere in a name or email, nor as a full identifier."
                    : $"No customer's name or email has a word starting with “{Query}”, and no identifier is exactly that.";
        }
    }

    private async Task AddExactAsync(string query, CancellationToken ct)
    {
        var ids = (await customers.FindByAnyIdentifierAsync(query, ct)).Select(id => (id, "identifier")).ToList();
        if (long.TryParse(query.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var customerId))
        {
            ids.Insert(0, (customerId, "customer id"));
        }

        foreach (var (id, how) in ids)
        {
            if (Hits.Any(h => h.Id == id) || await customers.GetAsync(id, ct) is not { } p)
            {
                continue;
            }

            p.Traits.TryGetValue("name", out var name);
            Hits.Add(new SearchHit(p.Id, name?.Value, p.Identifiers.FirstOrDefault(i => i.Kind == "email")?.Value, how));
        }
    }
}
