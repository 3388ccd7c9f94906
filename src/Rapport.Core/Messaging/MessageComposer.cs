using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rapport.Core.Storage;
using Rapport.Engine.Messaging;

namespace Rapport.Core.Messaging;

/// <summary>Why a message could not be composed; <see cref="Kind"/> picks the HTTP status.</summary>
public sealed class ComposeException(ComposeFailure kind, string message) : Exception(message)
{
    public ComposeFailure Kind { get; } = kind;
}

public enum ComposeFailure
{
    UnknownCustomer,
    UnknownTemplate,
    NoAddress,
    BadRequest,
}

/// <summary>
/// Renders a template for one customer into an outbox message. A message knows: customer (id,
/// email, name, firstName, lastName), traits (every current trait), value (tier, revenue,
/// orders), links (unsubscribe; preferences and question: the customer's signed preference-centre
/// link, the second opening at this interaction's profiling question) and whatever the caller passes as recommendations, offers and
/// data. In HTML, links are rewritten through signed click tracking and an open pixel is added.
/// </summary>
public sealed partial class MessageComposer(
    TemplateStore templates, IDatabase database, MessageLinks links, MessagingSecrets secrets, Preferences.PreferenceLinks? preferences = null)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ParsedTemplate> _parsed = new(StringComparer.Ordinal);

    public static readonly IReadOnlyList<string> Roots = ["customer", "traits", "value", "links", "recommendations", "offers", "data"];

    /// <summary>Why a message is sent. Marketing needs consent and respects unsubscribes; service (an order confirmation) does not.</summary>
    public static readonly IReadOnlyList<string> Purposes = [MessagePurpose.Marketing, MessagePurpose.Service];

    public async Task<OutgoingMessage> ComposeAsync(
        long customerId, string templateName, string purpose, string key, JsonObject? extra, CancellationToken ct = default) =>
        await ComposeAsync(await LoadAsync([customerId], ct), customerId, templateName, purpose, key, extra, ct);

    /// <summary>Reads what the messages to these customers need, one query per kind of data; then compose each with it.</summary>
    public Task<ComposeBatch> LoadAsync(IReadOnlyCollection<long> customerIds, CancellationToken ct = default) =>
        ComposeBatch.LoadAsync(database, customerIds, ct);

    public async Task<OutgoingMessage> ComposeAsync(
        ComposeBatch batch, long customerId, string templateName, string purpose, string key, JsonObject? extra, CancellationToken ct = default)
    {
        if (!Purposes.Contains(purpose))
        {
            throw new ComposeException(ComposeFailure.BadRequest, $"'{purpose}' is not a message purpose; use one of {string.Join(", ", Purposes)}.");
        }

        var template = await batch.TemplateAsync(templates, templateName, ct)
            ?? throw new ComposeException(ComposeFailure.UnknownTemplate, $"There is no template '{templateName}'; create it with PUT /v1/templates/{templateName}.");
        await secrets.LoadAsync(ct);
        var customer = batch.Customer(customerId)
            ?? throw new ComposeException(ComposeFailure.UnknownCustomer, $"There is no customer {customerId} (or it was merged into another).");
        var data = ComposeBatch.DataFor(customer);
        var address = AddressFor(template.Channel, data)
            ?? throw new ComposeException(ComposeFailure.NoAddress, template.Channel switch
            {
                "sms" => $"Customer {customerId} has no phone number; identify them with a phone trait first.",
                "push" => $"Customer {customerId} has no push token; identify them with a pushToken trait first.",
                _ => $"Customer {customerId} has no email address; identify them with an email trait first.",
            });
        data["links"] = new JsonObject { ["unsubscribe"] = links.Unsubscribe(key) };
        if (preferences?.Create(customerId) is { } centre)
        {
            data["links"]!["preferences"] = centre.Url;
            data["links"]!["question"] = centre.Url + "#question";
        }

        foreach (var name in new[] { "recommendations", "offers", "data" })
        {
            if (extra?[name] is { } node)
            {
                data[name] = node.DeepClone();
            }
        }

        var parsed = Parsed(template);
        var html = parsed.Html is null || template.Channel != "email" ? null : Track(key, parsed.Html.Render(data, html: true));
        return new OutgoingMessage(
            key, customerId, template.Channel, purpose, template.Name, address,
            parsed.Subject.Render(data, html: false).ReplaceLineEndings(" "),
            parsed.Text.Render(data, html: false),
            html);
    }

    /// <summary>A template is parsed once per saved text (records compare by value), not once per message of a 100,000-customer send.</summary>
    private ParsedTemplate Parsed(MessageTemplateView t)
    {
        if (_parsed.TryGetValue(t.Name, out var p) && p.Source == t)
        {
            return p;
        }

        p = new ParsedTemplate(t, MessageTemplate.Parse(t.Subject), MessageTemplate.Parse(t.Text), t.Html is null ? null : MessageTemplate.Parse(t.Html));
        _parsed[t.Name] = p;
        return p;
    }

    /// <summary>Email: the email trait or identifier; SMS: the phone trait or identifier; push: the pushToken trait.</summary>
    private static string? AddressFor(string channel, JsonObject data) => channel switch
    {
        "sms" => (string?)data["customer"]!["phone"],
        "push" => (string?)data["traits"]!["pushToken"] ?? (string?)data["traits"]!["push_token"],
        _ => (string?)data["customer"]!["email"],
    };

    /// <summary>Sends every http(s) link through the signed click redirect and adds the open pixel.</summary>
    private string Track(string key, string html)
    {
        var tracked = HrefPattern().Replace(html, m => $"href=\"{System.Net.WebUtility.HtmlEncode(links.Click(key, System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)))}\"");
        var pixel = $"<img src=\"{links.OpenPixel(key)}\" width=\"1\" height=\"1\" alt=\"\">";
        var end = tracked.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        return end < 0 ? tracked + pixel : tracked.Insert(end, pixel);
    }

    // Not the unsubscribe or preference-centre links: they must work without a redirect.
    [GeneratedRegex("href=\"(https?://(?![^\"]*/(?:m/unsubscribe|preferences)/)[^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HrefPattern();
}

internal sealed record ParsedTemplate(MessageTemplateView Source, MessageTemplate Subject, MessageTemplate Text, MessageTemplate? Html);

public static class MessagePurpose
{
    public const string Marketing = "marketing";
    public const string Service = "service";
}
