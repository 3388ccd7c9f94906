using Microsoft.AspNetCore.Html;

namespace Rapport.Dashboard.Panels;

/// <summary>A section another feature adds to the customer profile page, after the built-in ones.</summary>
public sealed record ProfilePanel(string Id, string Title, IHtmlContent Body);

/// <summary>
/// The place for features built after the dashboard (needs, consent and next best actions,
/// recommendations) to show themselves on the 360° profile without editing the page:
/// register an implementation with services.AddSingleton&lt;IProfilePanel, YourPanel&gt;() in your
/// feature's Add method. Panels render in <see cref="Order"/>; return null to show nothing.
/// Encode everything you put in the HTML (HtmlContentBuilder.Append encodes text).
/// </summary>
public interface IProfilePanel
{
    int Order { get; }

    Task<ProfilePanel?> RenderAsync(long customerId, CancellationToken ct);
}
