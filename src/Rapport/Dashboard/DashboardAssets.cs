namespace Rapport.Dashboard;

/// <summary>Scripts embedded in the executable (no wwwroot, no CDN), read once.</summary>
internal static class DashboardAssets
{
    /// <summary>The SignalR browser client (vendor/signalr.min.js, MIT, licence in vendor/signalr.LICENSE.txt).</summary>
    public static readonly Lazy<string> SignalR = new(() => Read("Rapport.Dashboard.vendor.signalr.min.js"));

    /// <summary>The inbox's live updates (Dashboard/inbox.js).</summary>
    public static readonly Lazy<string> InboxScript = new(() => Read("Rapport.Dashboard.inbox.js"));

    /// <summary>The visitor's chat box for shop pages (Dashboard/chat-widget.js).</summary>
    public static readonly Lazy<string> ChatWidget = new(() => Read("Rapport.Dashboard.chat-widget.js"));

    private static string Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the executable.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
