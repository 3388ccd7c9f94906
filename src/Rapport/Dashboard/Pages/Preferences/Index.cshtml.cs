using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Rapport.Core.Consent;
using Rapport.Core.Preferences;

namespace Rapport.Dashboard.Pages.Preferences;

/// <summary>
/// The customer's preference centre at /preferences/{token}: no login, the signed link is the
/// key (<see cref="PreferenceLinks"/>). A bad or expired link gets a friendly page with a 4xx
/// status. Forms post back here (antiforgery-checked, as every Razor Page POST) and redirect
/// after saving, so a reload never submits twice.
/// </summary>
public sealed class PreferencesModel(
    PreferenceLinks links, PreferenceCentre centre, ConsentService consent, ProfilingService profiling, ErasureRequests erasures, LinkRequests newLinks) : PageModel
{
    public LinkCheck Link { get; private set; } = new(LinkStatus.Invalid, 0, null);

    public PreferencePage? Data { get; private set; }

    public NextQuestion? Question { get; private set; }

    public string Token { get; private set; } = "";

    public string? Saved { get; private set; }

    public List<string> Errors { get; } = [];

    /// <summary>After "Send me a new link": what the visitor is told (the same whether or not we know them).</summary>
    public string? NewLinkReply { get; private set; }

    public async Task<IActionResult> OnPostNewLinkAsync(string token, string? email, CancellationToken ct)
    {
        if (await OpenAsync(token, ct))
        {
            return Back("nothing"); // the link works: nothing to renew
        }

        LinkRequestOutcome? outcome;
        if (!string.IsNullOrWhiteSpace(email))
        {
            if (email.Trim().Length > 254 || !System.Net.Mail.MailAddress.TryCreate(email.Trim(), out _))
            {
                Errors.Add("That does not look like an email address; type it as name@example.com.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            outcome = await newLinks.ByEmailAsync(email, ct);
        }
        else
        {
            outcome = await newLinks.ByTokenAsync(token, ct);
            if (outcome is null)
            {
                Errors.Add("Type the email address we write to you at, and we will send a new link there.");
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
        }

        if (outcome.RetryAt is { } retry)
        {
            Errors.Add($"You have asked for {LinkRequests.PerHour} new links within an hour. Please try again after {retry:HH:mm} UTC, or use the link in the newest email from us.");
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }

        NewLinkReply = string.IsNullOrWhiteSpace(email)
            ? "If we have an email address for you, a new link is on its way to it. It can take a few minutes; check your spam folder too."
            : $"If {email.Trim()} is an address we write to, a new link is on its way to it. It can take a few minutes; check your spam folder too.";
        Response.StatusCode = StatusCodes.Status202Accepted;
        return Page();
    }

    public async Task<IActionResult> OnGetAsync(string token, string? saved, CancellationToken ct)
    {
        if (!await OpenAsync(token, ct))
        {
            return Page();
        }

        Saved = saved;
        return Page();
    }

    public async Task<IActionResult> OnPostConsentAsync(string token, CancellationToken ct)
    {
        if (!await OpenAsync(token, ct))
        {
            return Page();
        }

        var body = ConsentForm.Changes(Request.Form, Data!.Consent);
        if (!ConsentForm.HasChanges(body))
        {
            return Back("nothing");
        }

        var (update, errors) = ConsentRequestParser.Parse(body, ConsentForm.Source);
        if (update is null)
        {
            Errors.AddRange(errors.Select(e => Friendly(e.Message)));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await consent.UpdateAsync(Data.Profile.Id, update, replace: false, ct);
        return Back("consent");
    }

    public async Task<IActionResult> OnPostAnswerAsync(string token, string? question, string[]? answer, CancellationToken ct)
    {
        if (!await OpenAsync(token, ct))
        {
            return Page();
        }

        var outcome = await profiling.AnswerAsync(Data!.Profile.Id, question, answer ?? [], ConsentForm.Source, "web", ct);
        if (outcome.Error is not null)
        {
            Errors.Add(Friendly(outcome.Error));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        return Back("answer");
    }

    public async Task<IActionResult> OnPostEraseAsync(string token, string? confirm, CancellationToken ct)
    {
        if (!await OpenAsync(token, ct))
        {
            return Page();
        }

        if (confirm != "yes")
        {
            Errors.Add("Tick the box to confirm that you want us to erase your data.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await erasures.RequestAsync(Data!.Profile.Id, ConsentForm.Source, "web", ct);
        return Back("erasure");
    }

    /// <summary>Checks the link and loads the page's data; false (and a 4xx status: the page then explains) for a bad or expired link or a customer that no longer exists.</summary>
    private async Task<bool> OpenAsync(string token, CancellationToken ct)
    {
        Token = token;
        Link = await links.CheckAsync(token, ct);
        if (Link.Status == LinkStatus.Valid)
        {
            Data = await centre.ReadAsync(Link.CustomerId, ct);
            if (Data is not null)
            {
                Question = await profiling.NextAsync(Data.Profile.Id, "web", ct);
                return true;
            }

            Link = Link with { Status = LinkStatus.Invalid };
        }

        Response.StatusCode = Link.Status == LinkStatus.Expired ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound;
        return false;
    }

    private RedirectResult Back(string saved) => Redirect($"{PreferenceLinks.Path}/{Uri.EscapeDataString(Token)}?saved={saved}");

    /// <summary>The parser speaks to API users ("pausedUntil is an ISO 8601 time"); the form's own fields are named in words.</summary>
    private static string Friendly(string message) => message
        .Replace("pausedUntil", "Pause until", StringComparison.Ordinal)
        .Replace("quietHours", "Quiet hours", StringComparison.Ordinal);
}
