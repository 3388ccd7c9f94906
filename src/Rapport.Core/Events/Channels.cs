namespace Rapport.Core.Events;

/// <summary>Where an interaction happened. Every event has exactly one.</summary>
public static class Channels
{
    public const string Web = "web";
    public const string App = "app";
    public const string Store = "store";
    public const string Phone = "phone";
    public const string Email = "email";
    public const string Chat = "chat";

    public static readonly IReadOnlyList<string> All = [Web, App, Store, Phone, Email, Chat];

    public static bool IsKnown(string channel) => All.Contains(channel);

    /// <summary>Segment's own channel names ("browser", "mobile", "server") mapped onto ours.</summary>
    public static string? FromSegment(string? segmentChannel) => segmentChannel?.ToLowerInvariant() switch
    {
        null or "" => null,
        "browser" or "server" => Web,
        "mobile" => App,
        var c when IsKnown(c) => c,
        _ => null,
    };
}
