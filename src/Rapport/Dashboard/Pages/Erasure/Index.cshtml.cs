using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Erasure;
using Rapport.Core.Preferences;

namespace Rapport.Dashboard.Pages.Erasure;

/// <summary>Customers' erasure requests, pending first, each with an Execute button that asks for a confirmation.</summary>
public sealed class ErasureModel(ErasureRequests requests, ErasureExecutor executor) : PageModel
{
    public IReadOnlyList<ErasureRequest> Pending { get; private set; } = [];

    public IReadOnlyList<ErasureRequest> Completed { get; private set; } = [];

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(long? done, CancellationToken ct)
    {
        if (done is { } id && await requests.GetAsync(id, ct) is { Status: ErasureRequests.Completed } request)
        {
            Message = $"Request {id}: customer {request.CustomerId} erased. {request.Note}";
        }

        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostExecuteAsync(long id, bool confirm, CancellationToken ct)
    {
        if (!confirm)
        {
            Error = $"Request {id} was not carried out: tick \"I understand this cannot be undone\" first.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else if (await executor.ExecuteAsync(id, $"dashboard:{User.Identity?.Name ?? "admin"}", ct) is null)
        {
            Error = $"There is no erasure request {id}.";
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        else
        {
            return Redirect($"/dashboard/erasure?done={id}");
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Pending = await requests.ListAsync(ErasureRequests.Pending, 0, 500, ct);
        Completed = (await requests.ListAsync(ErasureRequests.Completed, 0, 10_000, ct)).Reverse().Take(50).ToList();
    }
}
