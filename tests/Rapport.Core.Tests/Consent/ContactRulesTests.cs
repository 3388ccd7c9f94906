using Rapport.Core.Consent;

namespace Rapport.Core.Tests.Consent;

public sealed class ContactRulesTests
{
    private static readonly DateTimeOffset T = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static ConsentState State(ConsentOptions? options = null, params (string Item, string Value)[] entries) =>
        ConsentState.Fold(entries.Select((e, i) => new LedgerEntry(e.Item, e.Value, "test", $"m{i}", T.AddMinutes(i))), options ?? new ConsentOptions());

    [Fact]
    public void Evaluate_NothingRecorded_DeniedByDefault()
    {
        var check = ContactRules.Evaluate(State(), "marketing", "email", T, 0);

        Assert.Equal((false, ContactDenial.NoConsent), (check.Allowed, check.Reason));
        Assert.Contains("default is denied", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PurposeGrantedByConfiguration_AllowedUntilCustomerDenies()
    {
        var options = new ConsentOptions { GrantedByDefault = ["analytics"] };

        Assert.True(ContactRules.Evaluate(State(options), "analytics", "web", T, 0).Allowed);
        Assert.False(ContactRules.Evaluate(State(options, ("analytics.web", "denied")), "analytics", "web", T, 0).Allowed);
    }

    [Fact]
    public void Fold_LaterAnswerWins_WithdrawnFallsBackToDefault()
    {
        var state = State(null, ("marketing.email", "granted"), ("marketing.email", "denied"), ("marketing.sms", "granted"), ("marketing.sms", ""));

        Assert.False(state.Answer("marketing", "email").Granted);
        Assert.True(state.Answer("marketing", "sms").IsDefault);
    }

    [Fact]
    public void Evaluate_QuietHoursInCustomersZone_BlocksSmsNotWebNorPost()
    {
        // 23:30 in Amsterdam (CEST, UTC+2) is 21:30 UTC.
        var state = State(null, ("marketing.sms", "granted"), ("marketing.web", "granted"), ("marketing.post", "granted"),
            ("time_zone", "Europe/Amsterdam"), ("quiet_hours", "22:00-07:00"));
        var at = new DateTimeOffset(2026, 6, 1, 21, 30, 0, TimeSpan.Zero);

        var sms = ContactRules.Evaluate(state, "marketing", "sms", at, 0);
        Assert.Equal(ContactDenial.QuietHours, sms.Reason);
        Assert.Contains("23:30 in Europe/Amsterdam", sms.Detail, StringComparison.Ordinal);
        Assert.True(ContactRules.Evaluate(state, "marketing", "web", at, 0).Allowed);
        Assert.True(ContactRules.Evaluate(state, "marketing", "post", at, 0).Allowed);
        Assert.True(ContactRules.Evaluate(state, "marketing", "sms", at.AddHours(10), 0).Allowed); // 09:30 in Amsterdam
    }

    [Fact]
    public void Evaluate_PausedAndCapped_ReasonsInOrder()
    {
        var until = T.AddDays(3).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var state = State(null, ("marketing.email", "granted"), ("paused_until", until), ("max_per_week.email", "2"));

        Assert.Equal(ContactDenial.Paused, ContactRules.Evaluate(state, "marketing", "email", T.AddDays(1), 0).Reason);
        Assert.True(ContactRules.Evaluate(state, "marketing", "email", T.AddDays(4), 1).Allowed);
        Assert.Equal(ContactDenial.WeeklyCapReached, ContactRules.Evaluate(state, "marketing", "email", T.AddDays(4), 2).Reason);
    }
}
