namespace Rapport.Core.Messaging;

/// <summary>
/// What an SMS or push provider tells us about a message we sent through its webhook: it was
/// delivered or could not be, the customer opened it, clicked a link in it, or answered it.
/// <paramref name="Id"/> and <paramref name="Key"/> are the <c>id</c> and <c>key</c> our
/// outbound POST carried (either one finds the message); <paramref name="EventId"/> is the
/// provider's own id of this report, which makes a retried reply store once.
/// </summary>
public sealed record ProviderReport(
    long? Id, string? Key, string Status, string? EventId = null, DateTimeOffset? At = null,
    string? Error = null, bool Permanent = false, string? Url = null, string? Text = null);

/// <summary>The statuses a provider may report, what each becomes on the timeline, and the checks (pure).</summary>
public static class ProviderStatuses
{
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Opened = "opened";
    public const string Clicked = "clicked";
    public const string Replied = "replied";

    public const int MaxError = 500;
    public const int MaxUrl = 2_000;
    public const int MaxEventId = 200;

    /// <summary>What each channel can report: a text message has no "opened" (no provider can see it read).</summary>
    public static IReadOnlyList<string> For(string channel) => channel == "push"
        ? [Delivered, Undelivered, Opened, Clicked, Replied]
        : [Delivered, Undelivered, Clicked, Replied];

    /// <summary>The timeline event for a status ("SMS Delivered", "Push Opened", "Push Link Clicked"); a reply is a conversation message instead.</summary>
    public static string EventName(string channel, string status) => OutboxEvents.Label(channel) + status switch
    {
        Delivered => " Delivered",
        Undelivered => " Undelivered",
        Opened => " Opened",
        Clicked => " Link Clicked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "a reply is filed as a conversation message, not an outbox event"),
    };

    /// <summary>Null when the report can be recorded on <paramref name="channel"/>; otherwise what is wrong and what to send instead.</summary>
    public static string? Problem(string channel, ProviderReport r)
    {
        if (r.Id is null && string.IsNullOrWhiteSpace(r.Key))
        {
            return "Send the id (or the key) of our message, as our webhook POST carried it: {\"id\": 17, \"status\": \"delivered\"}.";
        }

        var allowed = For(channel);
        if (!allowed.Contains(r.Status))
        {
            return $"status must be one of {string.Join(", ", allowed)} on the {channel} channel; got '{r.Status}'.";
        }

        if (r.EventId is { Length: > MaxEventId })
        {
            return $"eventId is at most {MaxEventId} characters.";
        }

        if (r.Error is { Length: > MaxError })
        {
            return $"error is at most {MaxError} characters; send the provider's code and a short reason.";
        }

        return r.Status switch
        {
            Clicked when r.Url is null || r.Url.Length > MaxUrl || !Uri.TryCreate(r.Url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")
                => $"A click needs the url that was clicked (absolute http or https, at most {MaxUrl} characters); got '{Short(r.Url)}'.",
            Replied when string.IsNullOrWhiteSpace(r.EventId)
                => "A reply needs the provider's eventId (1 to 200 characters): it is how a retried webhook is stored once.",
            Replied when string.IsNullOrWhiteSpace(r.Text)
                => "A reply needs the text the customer wrote: {\"status\": \"replied\", \"text\": \"...\"}.",
            _ => null,
        };
    }

    private static string Short(string? s) => s is null ? "" : s.Length > 80 ? s[..80] + "…" : s;
}
