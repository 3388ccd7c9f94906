using System.Globalization;
using Microsoft.AspNetCore.Html;
using Rapport.Core.Actions;
using Rapport.Core.Consent;
using Rapport.Core.Loyalty;
using Rapport.Core.Needs;
using Rapport.Core.Storage;

namespace Rapport.Dashboard.Panels;

/// <summary>Small HTML helpers for panels: every value goes through the encoder.</summary>
internal static class PanelHtml
{
    public static HtmlContentBuilder Rows(IEnumerable<(string Label, string Value)> rows)
    {
        var b = new HtmlContentBuilder();
        b.AppendHtml("<table class=\"facts\"><tbody>");
        foreach (var (label, value) in rows)
        {
            b.AppendHtml("<tr><th scope=\"row\">").Append(label).AppendHtml("</th><td>").Append(value).AppendHtml("</td></tr>");
        }

        b.AppendHtml("</tbody></table>");
        return b;
    }

    public static string Pct(double? share) => share is { } s ? s.ToString("P0", CultureInfo.InvariantCulture) : "–";
}

/// <summary>What the customer agreed to (granted pairs), when and how we may contact them, and the latest answers in the ledger with their sources.</summary>
internal sealed class ConsentPanel(ConsentService consent) : IProfilePanel
{
    public const int LedgerRows = 10;

    public int Order => 10;

    public async Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct)
    {
        if (await consent.GetAsync(customerId, ct) is not { } found)
        {
            return null;
        }

        var history = await consent.HistoryAsync(found.Customer, LedgerRows, null, ct);
        var body = new HtmlContentBuilder();
        body.AppendHtml(Current(found.State));
        body.AppendHtml("<h3>Latest answers</h3>");
        if (history is null || history.Items.Count == 0)
        {
            body.AppendHtml("<p class=\"muted\" id=\"consent-ledger-empty\">No answer recorded: the defaults apply.</p>");
        }
        else
        {
            body.AppendHtml("<table id=\"consent-ledger\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Item</th><th scope=\"col\">Answer</th><th scope=\"col\">Source</th></tr></thead><tbody>");
            foreach (var i in history.Items)
            {
                body.AppendHtml("<tr><td>").Append(i.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).AppendHtml("</td><td>").Append(i.Item)
                    .AppendHtml("</td><td>").Append(i.Value.Length == 0 ? "withdrawn" : Shown(i.Item, i.Value)).AppendHtml("</td><td>").Append(i.Source).AppendHtml("</td></tr>");
            }

            body.AppendHtml("</tbody></table>");
            if (history.NextCursor is not null)
            {
                body.AppendHtml("<p class=\"muted\">Older answers: <code>").Append($"GET /v1/customers/{found.Customer}/consent/history").AppendHtml("</code>.</p>");
            }
        }

        return new ProfilePanel("consent", "Consent and contact", body);
    }

    /// <summary>Pauses are stored as Unix milliseconds: shown as a time.</summary>
    private static string Shown(string item, string value) =>
        item == ConsentEntry.PausedUntil && long.TryParse(value, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("u", CultureInfo.InvariantCulture)
            : value;

    private static HtmlContentBuilder Current(ConsentState state)
    {
        var granted = state.Answers().Where(a => a.Granted).Select(a => $"{a.Purpose} on {a.Channel}{(a.IsDefault ? " (default)" : "")}").ToList();
        var caps = state.MaxPerWeekByChannel().Select(kv => $"{kv.Key}: {kv.Value}").ToList();
        return PanelHtml.Rows(
        [
            ("Granted", granted.Count > 0 ? string.Join(", ", granted) : "nothing granted yet (every purpose but the configured defaults is denied)"),
            ("Time zone", state.TimeZone),
            ("Quiet hours", state.QuietHours?.ToString() ?? "none"),
            ("Most contacts per week", caps.Count > 0 ? string.Join(", ", caps) : "no limit"),
            ("Preferred channel", state.PreferredChannel ?? "not said"),
            ("Paused until", state.PausedUntil is { } p ? p.ToString("u", CultureInfo.InvariantCulture) : "not paused"),
        ]);
    }
}

/// <summary>The customer's needs: top categories, price sensitivity, channels, stated values, cluster.</summary>
internal sealed class NeedsPanel(NeedsQueries needs) : IProfilePanel
{
    public int Order => 20;

    public async Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct)
    {
        var n = await needs.GetAsync(customerId, ct);
        if (n.UpdatedAt is null)
        {
            return null;
        }

        return new ProfilePanel("needs", "Needs", PanelHtml.Rows(
        [
            ("Needs cluster", n.Cluster?.Label ?? "not clustered yet"),
            ("Top categories", n.Affinity.Count > 0 ? string.Join(", ", n.Affinity.OrderByDescending(a => a.Affinity).Take(3).Select(a => $"{a.Category} {PanelHtml.Pct(a.Affinity)}")) : "no categories seen"),
            ("Channels", n.Channels.Count > 0 ? string.Join(", ", n.Channels.OrderByDescending(c => c.InteractionShare ?? 0).Select(c => $"{c.Channel} {PanelHtml.Pct(c.InteractionShare)}")) : "–"),
            ("Values most", n.Preferences.ValuesMost?.Value ?? "not said"),
            ("Buys again", n.Cadence.Count(c => c.NextPurchaseAt is not null) is var due and > 0 ? $"{due} products on a rhythm" : "no repeat purchases yet"),
        ]));
    }
}

/// <summary>Points, tier and what expires next.</summary>
internal sealed class LoyaltyPanel(LoyaltyQueries loyalty) : IProfilePanel
{
    public int Order => 30;

    public async Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct)
    {
        if (await loyalty.SummaryAsync(customerId, ct) is not { } s)
        {
            return null;
        }

        return new ProfilePanel("loyalty", "Loyalty", PanelHtml.Rows(
        [
            ("Points", s.Balance.ToString("N0", CultureInfo.InvariantCulture)),
            ("Tier", s.Tier),
            ("Next tier", s.Progress is { } p ? $"{p.NextTier}: {p.Needed.ToString("N2", CultureInfo.InvariantCulture)} to go" : "top tier"),
            ("Next expiry", s.NextExpiry is { } e ? $"{e.Points:N0} points on {e.At:yyyy-MM-dd}" : "nothing expiring"),
        ]));
    }
}

/// <summary>The latest decisions of the next-best-action engine for this customer, with the reasons they were given.</summary>
internal sealed class DecisionsPanel(IDatabase database) : IProfilePanel
{
    public int Order => 40;

    public async Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct)
    {
        var decisions = await DecisionLog.ForCustomerAsync(database, customerId, 5, ct);
        if (decisions.Count == 0)
        {
            return null;
        }

        return new ProfilePanel("decisions", "Next best actions given", PanelHtml.Rows(decisions.Select(d =>
            ($"{d.DecidedAt:yyyy-MM-dd HH:mm} · {d.Channel}", $"{d.Reason}{(d.Outcome is { } o ? $" ({o})" : "")}"))));
    }
}
