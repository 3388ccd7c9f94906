using System.Globalization;
using Microsoft.AspNetCore.Html;
using Rapport.Core.Conversations;

namespace Rapport.Dashboard.Panels;

/// <summary>The customer's account manager and their latest conversations, each linking to the inbox.</summary>
internal sealed class ConversationsPanel(StaffDirectory staff, ConversationQueries conversations) : IProfilePanel
{
    public int Order => 50;

    public async Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct)
    {
        var manager = await staff.ManagerOfAsync(customerId, ct);
        var threads = await conversations.ForCustomerAsync(customerId, 5, ct);
        var b = new HtmlContentBuilder();
        b.AppendHtml("<p>Account manager: <strong data-testid=\"account-manager\">")
            .Append(manager is null ? "none assigned" : manager.Name + (manager.Email is { } e ? $" ({e})" : ""))
            .AppendHtml("</strong>");
        if (manager is { Disabled: true })
        {
            // Kept so nobody loses track of who served them; chats go to the shared inbox meanwhile.
            b.AppendHtml(" <span class=\"badge\" data-testid=\"manager-disabled\">manager disabled</span> <span class=\"muted\">their chats go to the shared inbox; assign another manager</span>");
        }

        b.AppendHtml("</p>");
        if (threads.Count == 0)
        {
            b.AppendHtml("<p>No conversations yet.</p>");
        }
        else
        {
            b.AppendHtml("<table><thead><tr><th scope=\"col\">Last message</th><th scope=\"col\">Thread</th><th scope=\"col\">Status</th><th scope=\"col\">With</th></tr></thead><tbody>");
            foreach (var t in threads)
            {
                b.AppendHtml("<tr><td>").Append(t.LastMessageAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))
                    .AppendHtml("</td><td><a href=\"/dashboard/inbox?thread=").Append(t.Id.ToString(CultureInfo.InvariantCulture)).AppendHtml("\">")
                    .Append(t.Subject ?? t.Preview ?? $"Thread {t.Id}").AppendHtml("</a></td><td>").Append(t.Status)
                    .AppendHtml("</td><td>").Append(t.AssignedStaffName ?? "shared inbox").AppendHtml("</td></tr>");
            }

            b.AppendHtml("</tbody></table>");
        }

        return new ProfilePanel("conversations", "Conversations", b);
    }
}
