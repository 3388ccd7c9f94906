using Rapport.Core.Conversations;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Conversations;

/// <summary>The provider's time of inbound messages, kept beside the arrival time when believable (migration 1681), both stores.</summary>
public sealed class ReceivedAtTests
{
    [Fact]
    public void ProviderTime_IsKeptWithinSevenDaysAndAMinuteOfSkew_ElseArrivalWithANote()
    {
        var arrival = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

        Assert.Equal((null, null), ProviderTime.Bound(null, arrival));
        Assert.Equal((arrival.AddMinutes(-3), null), ProviderTime.Bound(arrival.AddMinutes(-3), arrival));
        Assert.Equal((arrival, null), ProviderTime.Bound(arrival.AddSeconds(30), arrival)); // skew: counts as now
        Assert.Equal((arrival.AddDays(-6.9), null), ProviderTime.Bound(arrival.AddDays(-6.9), arrival));
        var (future, why) = ProviderTime.Bound(arrival.AddHours(2), arrival);
        Assert.Equal(arrival, future);
        Assert.Contains("is in the future", why, StringComparison.Ordinal);
        var (old, because) = ProviderTime.Bound(arrival.AddDays(-8), arrival);
        Assert.Equal(arrival, old);
        Assert.Contains("more than 7 days before it arrived", because, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task InboundTexts_KeepTheProvidersTime_BesideTheArrival_OrTheArrivalWithTheReason(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var (texts, _, queries, _, _) = InboundSmsTests.Services(h);
        var arrival = h.Clock.GetUtcNow();

        async Task<ConversationMessage> FileAsync(string id, DateTimeOffset? at)
        {
            var sms = new InboundSms("+447700900123", null, "Message " + id, id, at);
            return (await texts.FileAsync((await texts.ThreadAsync(sms)).Id, sms)).Message;
        }

        var onTime = await FileAsync("SM1", arrival.AddMinutes(-4));
        var future = await FileAsync("SM2", arrival.AddDays(1));
        var old = await FileAsync("SM3", arrival.AddDays(-30));
        var none = await FileAsync("SM4", null);

        Assert.Equal(arrival.AddMinutes(-4), onTime.ReceivedAt);
        Assert.Null(onTime.ReceivedAtNote);
        Assert.Equal(arrival, onTime.At); // the arrival time stays beside it
        Assert.Equal(arrival, future.ReceivedAt);
        Assert.Contains("in the future", future.ReceivedAtNote, StringComparison.Ordinal);
        Assert.Equal(arrival, old.ReceivedAt);
        Assert.Contains("more than 7 days", old.ReceivedAtNote, StringComparison.Ordinal);
        Assert.Null(none.ReceivedAt);
        // Read back from the store as written.
        var stored = await queries.MessagesAsync(onTime.ThreadId);
        Assert.Equal([arrival.AddMinutes(-4), arrival, arrival, null], stored.Select(m => m.ReceivedAt));
        Assert.Equal(2, stored.Count(m => m.ReceivedAtNote is not null)); // the future and the old one say why
    }

    [Fact]
    public async Task AnEmailsDateHeader_IsTheProvidersTime()
    {
        const string Raw = "From: Ada <ada@example.com>\r\nTo: shop@rapport.test\r\nSubject: Lamp\r\nDate: Wed, 25 Nov 2026 17:30:00 +0100\r\nMessage-ID: <a1@mail>\r\n\r\nIs it back?\r\n";
        var email = await InboundMail.ParseAsync(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(Raw)), default);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 16, 30, 0, TimeSpan.Zero), email.SentAt);
        const string NoDate = "From: ada@example.com\r\nSubject: x\r\n\r\nhi\r\n";
        Assert.Null((await InboundMail.ParseAsync(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(NoDate)), default)).SentAt);
    }
}
