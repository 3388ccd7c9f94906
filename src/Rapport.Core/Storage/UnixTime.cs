namespace Rapport.Core.Storage;

/// <summary>Timestamps are UTC, stored as BIGINT milliseconds since the Unix epoch in both stores.</summary>
public static class UnixTime
{
    public static long ToStorage(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromStorage(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? FromStorage(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
