using System.Text.Json.Nodes;
using Rapport.Core.Consent;

namespace Rapport.Core.Tests.Consent;

public sealed class ConsentRequestParserTests
{
    private static (ConsentUpdate? Update, List<ConsentError> Errors) Parse(string json) =>
        ConsentRequestParser.Parse((JsonObject)JsonNode.Parse(json)!, "api");

    [Fact]
    public void Parse_FullChange_EntriesForEveryItem()
    {
        var (update, errors) = Parse("""
            {"source": "preference_page", "consents": {"marketing": {"email": true, "sms": "denied"}, "analytics": true},
             "timeZone": "Europe/Amsterdam", "quietHours": {"start": "21:00", "end": "8:00"}, "maxPerWeek": {"email": 2, "sms": null},
             "preferredChannel": "email", "pausedUntil": "2026-12-01T00:00:00Z"}
            """);

        Assert.Empty(errors);
        Assert.Equal("preference_page", update!.Source);
        var items = update.Entries.ToDictionary(e => e.Item, e => e.Value);
        Assert.Equal("granted", items["marketing.email"]);
        Assert.Equal("denied", items["marketing.sms"]);
        Assert.Equal(6, update.Entries.Count(e => e.Item.StartsWith("analytics.", StringComparison.Ordinal) && e.Value == "granted"));
        Assert.Equal("Europe/Amsterdam", items["time_zone"]);
        Assert.Equal("21:00-08:00", items["quiet_hours"]);
        Assert.Equal("2", items["max_per_week.email"]);
        Assert.Equal("", items["max_per_week.sms"]);
        Assert.Equal("email", items["preferred_channel"]);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), items["paused_until"]);
    }

    [Fact]
    public void Parse_AllChannelsThenOneChannel_SpecificChannelWins()
    {
        var (update, _) = Parse("""{"consents": {"marketing": {"*": true, "sms": false}}}""");

        Assert.Equal("denied", update!.Entries.Single(e => e.Item == "marketing.sms").Value);
        Assert.Equal("granted", update.Entries.Single(e => e.Item == "marketing.email").Value);
        Assert.Equal(6, update.Entries.Count);
    }

    [Fact]
    public void Parse_EveryKindOfMistake_AllReportedWithPathsAndNothingAccepted()
    {
        var (update, errors) = Parse("""
            {"consents": {"newsletter": {"email": true}, "marketing": {"fax": true, "sms": "yes"}},
             "timeZone": "Mars/Olympus", "quietHours": {"start": "25:00", "end": "08:00"}, "maxPerWeek": {"email": -1},
             "preferredChannel": "pigeon", "colour": "blue"}
            """);

        Assert.Null(update);
        var byPath = errors.ToDictionary(e => e.Path, e => e.Message);
        Assert.Contains("not a consent purpose", byPath["$.consents.newsletter"], StringComparison.Ordinal);
        Assert.Contains("not a contact channel", byPath["$.consents.marketing.fax"], StringComparison.Ordinal);
        Assert.Contains("true (granted), false (denied)", byPath["$.consents.marketing.sms"], StringComparison.Ordinal);
        Assert.Contains("IANA time zone", byPath["$.timeZone"], StringComparison.Ordinal);
        Assert.Contains("HH:MM", byPath["$.quietHours"], StringComparison.Ordinal);
        Assert.Contains("whole number", byPath["$.maxPerWeek.email"], StringComparison.Ordinal);
        Assert.Contains("not a contact channel", byPath["$.preferredChannel"], StringComparison.Ordinal);
        Assert.Contains("unknown key", byPath["$.colour"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"start": "21:00", "end": "21:00"}""", "same time")]
    [InlineData("""{"start": "21:00"}""", "end missing")]
    [InlineData("\"21-8\"", "HH:MM")]
    public void Parse_MalformedQuietHours_SaysWhatIsWrong(string quiet, string expected)
    {
        var (_, errors) = Parse($$"""{"quietHours": {{quiet}}}""");

        Assert.Contains(expected, errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PersonalizationSpelledTheAmericanWay_SuggestsTheKnownPurpose()
    {
        var (_, errors) = Parse("""{"consents": {"personalization": true}}""");

        Assert.Contains("did you mean 'personalisation'", errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuietHours_AcrossMidnight_ContainsNightNotDay()
    {
        Assert.True(QuietHours.TryParse("21:00", "08:00", out var q, out _));

        Assert.True(q.Contains(new TimeOnly(23, 0)));
        Assert.True(q.Contains(new TimeOnly(7, 59)));
        Assert.False(q.Contains(new TimeOnly(8, 0)));
        Assert.False(q.Contains(new TimeOnly(12, 0)));
    }

    [Fact]
    public void FromTraits_DemoStyleTraits_PairsAndAllChannels()
    {
        var errors = new List<ConsentError>();
        var traits = new JsonObject { ["consent_email_marketing"] = true, ["consent_personalisation"] = false, ["consent_marketing_sms"] = false, ["preferred_channel"] = "phone", ["plan"] = "gold" };

        var entries = ConsentMessages.FromTraits(traits, "$.traits", errors);

        Assert.Empty(errors);
        Assert.Contains(new ConsentEntry("marketing.email", "granted"), entries);
        Assert.Contains(new ConsentEntry("marketing.sms", "denied"), entries);
        Assert.Equal(6, entries.Count(e => e.Item.StartsWith("personalisation.", StringComparison.Ordinal) && e.Value == "denied"));
        Assert.Contains(new ConsentEntry("preferred_channel", "phone"), entries);
    }

    [Fact]
    public void FromTraits_UnknownPurpose_Error()
    {
        var errors = new List<ConsentError>();

        ConsentMessages.FromTraits(new JsonObject { ["consent_email_newsletter"] = true }, "$.traits", errors);

        Assert.Equal("$.traits.consent_email_newsletter", errors.Single().Path);
    }
}
