using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Messaging;

namespace Rapport.Core.Messaging;

public sealed record MessageTemplateView(string Name, string Channel, string Subject, string Text, string? Html, DateTimeOffset UpdatedAt);

/// <summary>A template that cannot be saved: which part, where, why.</summary>
public sealed class TemplateValidationException(string part, int position, string message) : Exception(message)
{
    public string Part { get; } = part;

    public int Position { get; } = position;
}

/// <summary>
/// Saved message templates. Every part is parsed on save and may only read the names a message
/// is rendered with (<see cref="MessageComposer.Roots"/>), so a typo is an error when the
/// template is saved, not an empty greeting in 100,000 inboxes.
/// </summary>
public sealed class TemplateStore(StoreWriter writer, IDatabase database)
{
    public static readonly IReadOnlyList<string> Channels = ["email", "sms", "push"];

    public async Task<bool> SaveAsync(string name, string channel, string subject, string text, string? html, CancellationToken ct = default)
    {
        Validate(name, channel, subject, text, html);
        return await writer.WriteAsync(async unit =>
        {
            var updated = await unit.Connection.ExecuteAsync(
                "UPDATE message_templates SET channel = @channel, subject = @subject, body_text = @text, body_html = @html, updated_at = @now WHERE name = @name",
                new { name, channel, subject, text, html, now = unit.Now }, unit.Transaction);
            if (updated == 0)
            {
                await unit.Connection.ExecuteAsync(
                    "INSERT INTO message_templates (name, channel, subject, body_text, body_html, created_at, updated_at) VALUES (@name, @channel, @subject, @text, @html, @now, @now)",
                    new { name, channel, subject, text, html, now = unit.Now }, unit.Transaction);
            }

            return updated == 0;
        }, ct);
    }

    public async Task<MessageTemplateView?> GetAsync(string name, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(string Name, string Channel, string Subject, string Text, string? Html, long UpdatedAt)?>(
            "SELECT name, channel, subject, body_text, body_html, updated_at FROM message_templates WHERE name = @name", new { name });
        return row is { } r ? new MessageTemplateView(r.Name, r.Channel, r.Subject, r.Text, r.Html, UnixTime.FromStorage(r.UpdatedAt)) : null;
    }

    public async Task<IReadOnlyList<MessageTemplateView>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Name, string Channel, string Subject, string Text, string? Html, long UpdatedAt)>(
            "SELECT name, channel, subject, body_text, body_html, updated_at FROM message_templates ORDER BY name");
        return rows.Select(r => new MessageTemplateView(r.Name, r.Channel, r.Subject, r.Text, r.Html, UnixTime.FromStorage(r.UpdatedAt))).ToList();
    }

    private static void Validate(string name, string channel, string subject, string text, string? html)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new TemplateValidationException("name", 0, "A template name is 1-100 letters, digits, '-', '_' or '.', e.g. 'welcome-1'.");
        }

        if (!Channels.Contains(channel))
        {
            throw new TemplateValidationException("channel", 0, $"'{channel}' is not a template channel; use one of {string.Join(", ", Channels)}.");
        }

        if (string.IsNullOrWhiteSpace(subject) && channel != "sms")
        {
            throw new TemplateValidationException("subject", 0, $"An {channel} template needs a subject (the title of a push notification).");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new TemplateValidationException("text", 0, $"A template needs a plain-text body{(channel == "email" ? " (html is optional)" : "")}.");
        }

        if (html is not null && channel != "email")
        {
            throw new TemplateValidationException("html", 0, $"Only email templates have an html part; drop it for {channel}.");
        }

        foreach (var (part, body) in new[] { ("subject", subject), ("text", text), ("html", html) })
        {
            if (body is null)
            {
                continue;
            }

            MessageTemplate parsed;
            try
            {
                parsed = MessageTemplate.Parse(body);
            }
            catch (TemplateException e)
            {
                throw new TemplateValidationException(part, e.Position, e.Message);
            }

            var unknown = parsed.Roots.Where(r => !MessageComposer.Roots.Contains(r)).ToList();
            if (unknown.Count > 0)
            {
                throw new TemplateValidationException(part, body.IndexOf(unknown[0], StringComparison.Ordinal),
                    $"'{unknown[0]}' is not something a message knows; use {string.Join(", ", MessageComposer.Roots)} (e.g. {{{{customer.firstName}}}}).");
            }
        }
    }
}
