using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Keys;

namespace Rapport.Core.Tests.Keys;

public sealed class FailedKeyAttemptsTests
{
    [Fact]
    public void Limit_CountsPerAddressWithinTheWindow_AndTheWindowStartsAgainAfterAMinute()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var attempts = new FailedKeyAttempts(clock, limitPerMinute: 3);

        attempts.RecordFailure("10.0.0.1");
        attempts.RecordFailure("10.0.0.1");
        Assert.Null(attempts.BlockedFor("10.0.0.1"));
        clock.Advance(TimeSpan.FromSeconds(20));
        attempts.RecordFailure("10.0.0.1");

        Assert.Equal(TimeSpan.FromSeconds(40), attempts.BlockedFor("10.0.0.1"));
        Assert.Null(attempts.BlockedFor("10.0.0.2")); // another address is not affected
        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(attempts.BlockedFor("10.0.0.1"));

        // A new window: two failures are under the limit again.
        attempts.RecordFailure("10.0.0.1");
        attempts.RecordFailure("10.0.0.1");
        Assert.Null(attempts.BlockedFor("10.0.0.1"));
    }

    [Fact]
    public void LimitZero_NeverBlocks()
    {
        var attempts = new FailedKeyAttempts(new FakeTimeProvider(), limitPerMinute: 0);
        for (var i = 0; i < 100; i++)
        {
            attempts.RecordFailure("10.0.0.1");
        }

        Assert.Null(attempts.BlockedFor("10.0.0.1"));
    }
}
