using System.Net;
using Rapport.Core.Events;
using Rapport.Core.Messaging;

namespace Rapport.Http;

/// <summary>
/// The links inside messages, reached by customers (no key; the signed token is the proof):
/// one-click unsubscribe (RFC 8058 POST, and a GET page with a button), the open pixel, and
/// tracked clicks. Each records an event on the customer's timeline.
/// </summary>
internal static class MessageLinkEndpoints
{
    // A transparent 1×1 GIF.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static void MapMessageLinkEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/m").ExcludeFromDescription();
        g.MapGet("/unsubscribe/{token}", UnsubscribePageAsync);
        g.MapPost("/unsubscribe/{token}", UnsubscribeAsync);
        g.MapGet("/open/{token}", OpenAsync);
        g.MapGet("/click/{token}", ClickAsync);
    }

    private static async Task<IResult> UnsubscribePageAsync(string token, MessageLinks links, MessagingSecrets secrets, Outbox outbox, CancellationToken ct)
    {
        if (await MessageOfAsync(token, links, secrets, outbox, ct) is not { } m)
        {
            return Page(HttpStatusCode.NotFound, "Link not recognised", "<p>This unsubscribe link is not valid. Use the link from your most recent email.</p>");
        }

        return Page(HttpStatusCode.OK, "Unsubscribe",
            $"""
            <p>Stop marketing emails to <strong>{WebUtility.HtmlEncode(m.Recipient)}</strong>?</p>
            <form method="post"><button type="submit">Unsubscribe</button></form>
            """);
    }

    private static async Task<IResult> UnsubscribeAsync(string token, MessageLinks links, MessagingSecrets secrets, Outbox outbox, MessageFeedback feedback, CancellationToken ct)
    {
        if (await MessageOfAsync(token, links, secrets, outbox, ct) is not { } m)
        {
            return Page(HttpStatusCode.NotFound, "Link not recognised", "<p>This unsubscribe link is not valid. Use the link from your most recent email.</p>");
        }

        await feedback.UnsubscribeAsync(m, ct);
        return Page(HttpStatusCode.OK, "Unsubscribed",
            $"<p><strong>{WebUtility.HtmlEncode(m.Recipient)}</strong> will get no more marketing email from us.</p>");
    }

    private static async Task<IResult> OpenAsync(string token, MessageLinks links, MessagingSecrets secrets, Outbox outbox, MessageFeedback feedback, CancellationToken ct)
    {
        if (await MessageOfAsync(token, links, secrets, outbox, ct) is { } m)
        {
            await feedback.RecordAsync(m, OutboxEvents.EmailOpened, null, ct);
        }

        return Results.File(Pixel, "image/gif");
    }

    private static async Task<IResult> ClickAsync(
        string token, string? u, string? s, MessageLinks links, MessagingSecrets secrets, Outbox outbox, MessageFeedback feedback, CancellationToken ct)
    {
        await secrets.LoadAsync(ct);
        var key = links.KeyOf(token);
        if (key is null || u is null || s is null || !links.IsValidClick(key, u, s) || !Uri.TryCreate(u, UriKind.Absolute, out var target)
            || target.Scheme is not ("http" or "https"))
        {
            return Page(HttpStatusCode.NotFound, "Link not recognised", "<p>This link is not valid.</p>");
        }

        if (await outbox.GetByKeyAsync(key, ct) is { } m)
        {
            await feedback.RecordAsync(m, OutboxEvents.EmailLinkClicked, u, ct);
        }

        return Results.Redirect(target.ToString());
    }

    private static async Task<OutboxEntry?> MessageOfAsync(string token, MessageLinks links, MessagingSecrets secrets, Outbox outbox, CancellationToken ct)
    {
        await secrets.LoadAsync(ct);
        return links.KeyOf(token) is { } key ? await outbox.GetByKeyAsync(key, ct) : null;
    }

    private static IResult Page(HttpStatusCode status, string title, string body) => Results.Content(
        $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{{title}}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}</style></head>
        <body><h1>{{title}}</h1>{{body}}</body></html>
        """, "text/html", statusCode: (int)status);
}
