using Rapport.Engine.Journeys;

namespace Rapport.Engine.Tests.Journeys;

public class JourneyParserTests
{
    private static readonly JourneyReferences Refs = new(
        TemplateChannel: name => name switch { "cart-reminder" => "email", "sms-nudge" => "sms", _ => null },
        SegmentExists: s => s is "3" or "VIPs");

    private const string AbandonedCart = """
        {"name": "Abandoned cart", "trigger": {"event": "Checkout Started"}, "goal": {"event": "Order Completed"},
         "controlGroup": 0.2,
         "steps": [
           {"id": "wait", "type": "wait", "duration": "1h"},
           {"id": "vip", "type": "condition", "if": "value.orders >= 2", "then": "task", "else": "email"},
           {"id": "task", "type": "task", "title": "Call about the cart", "due": "1d", "next": "email"},
           {"id": "email", "type": "send", "channel": "email", "template": "cart-reminder"},
           {"id": "points", "type": "reward", "points": 50}
         ]}
        """;

    [Fact]
    public void Parse_AValidJourney_ReadsEveryPart()
    {
        var (journey, errors) = JourneyParser.Parse(AbandonedCart, Refs);

        Assert.Empty(errors);
        Assert.NotNull(journey);
        Assert.Equal("Abandoned cart", journey.Name);
        Assert.Equal(new JourneyTrigger.Event("Checkout Started", new Dictionary<string, string>()).Name, ((JourneyTrigger.Event)journey.Trigger).Name);
        Assert.Equal(["Order Completed"], journey.GoalEvents);
        Assert.Equal(0.2, journey.ControlShare);
        Assert.Equal("wait", journey.Start);
        Assert.Equal(TimeSpan.FromHours(1), ((WaitStep)journey.Steps[0]).Duration);
        Assert.Equal("vip", journey.Steps[0].Next); // next defaults to the step listed after
        Assert.Equal("email", ((TaskStep)journey.Step("task")!).Next);
        Assert.Equal("points", journey.Step("email")!.Next);
        Assert.Null(journey.Step("points")!.Next);
    }

    [Fact]
    public void Parse_LoopWithoutWait_NamesTheStepsAndTheFix()
    {
        var (journey, errors) = JourneyParser.Parse("""
            {"name": "Loop", "trigger": {"event": "X"}, "steps": [
              {"id": "a", "type": "send", "template": "cart-reminder", "next": "b"},
              {"id": "b", "type": "condition", "if": "value.orders >= 1", "then": "a", "else": "c"},
              {"id": "c", "type": "exit"}]}
            """, Refs);

        Assert.Null(journey);
        var e = Assert.Single(errors);
        Assert.Equal("a", e.Step);
        Assert.Contains("a → b → a", e.Message, StringComparison.Ordinal);
        Assert.Contains("add a wait", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LoopThroughAWait_IsAllowed()
    {
        var (journey, errors) = JourneyParser.Parse("""
            {"name": "Weekly", "trigger": {"event": "X"}, "steps": [
              {"id": "a", "type": "send", "template": "cart-reminder"},
              {"id": "w", "type": "wait", "duration": "1w", "next": "a"}]}
            """, Refs);

        Assert.Empty(errors);
        Assert.NotNull(journey);
    }

    [Fact]
    public void Parse_UnknownActionMissingTemplateAndUnknownStep_ReportsEachWithItsStep()
    {
        var (journey, errors) = JourneyParser.Parse("""
            {"name": "Broken", "trigger": {"event": "X"}, "steps": [
              {"id": "fax", "type": "fax"},
              {"id": "mail", "type": "send", "template": "no-such-template", "next": "nowhere"},
              {"id": "text", "type": "send", "template": "cart-reminder", "channel": "sms"}]}
            """, Refs);

        Assert.Null(journey);
        Assert.Contains(errors, e => e.Step == "fax" && e.Path == "$.steps[0].type" && e.Message.Contains("'fax' is not a step type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Step == "mail" && e.Message.Contains("PUT /v1/templates/no-such-template", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Step == "text" && e.Message.Contains("is for email", StringComparison.Ordinal));
        // Unknown targets are reported once the steps themselves are valid; here "fax" is not.
        var (_, graph) = JourneyParser.Parse("""
            {"name": "Broken", "trigger": {"event": "X"}, "steps": [{"id": "mail", "type": "send", "template": "cart-reminder", "next": "nowhere"}]}
            """, Refs);
        var unknown = Assert.Single(graph);
        Assert.Equal("mail", unknown.Step);
        Assert.Contains("there is no step 'nowhere'", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "x", "steps": [{"type": "exit"}]}""", "$.trigger")]
    [InlineData("""{"name": "x", "trigger": {"segment": "Nobody"}, "steps": [{"type": "exit"}]}""", "$.trigger.segment")]
    [InlineData("""{"name": "x", "trigger": {"prediction": "prediction.p_alive"}, "steps": [{"type": "exit"}]}""", "$.trigger.below")]
    [InlineData("""{"name": "x", "trigger": {"event": "X"}, "controlGroup": 1.5, "steps": [{"type": "exit"}]}""", "$.controlGroup")]
    [InlineData("""{"name": "x", "trigger": {"event": "X"}, "steps": [{"type": "wait", "duration": "soon"}]}""", "$.steps[0].duration")]
    [InlineData("""{"name": "x", "trigger": {"event": "X"}, "steps": [{"type": "wait", "until": "cadence"}]}""", "$.steps[0].fallback")]
    [InlineData("""{"name": "x", "trigger": {"event": "X"}, "steps": [{"type": "condition", "if": "value.ordrs > 1"}]}""", "$.steps[0].if")]
    [InlineData("""{"name": "x", "trigger": {"event": "X"}, "steps": [], "colour": "red"}""", "$.colour")]
    [InlineData("not json", "$")]
    public void Parse_BadParts_ArePointedAt(string json, string path)
    {
        var (journey, errors) = JourneyParser.Parse(json, Refs);

        Assert.Null(journey);
        Assert.Contains(errors, e => e.Path == path);
    }

    [Fact]
    public void Walk_FollowsConditionsAndStopsAtTheNextWait()
    {
        var journey = JourneyParser.Parse(AbandonedCart, Refs).Journey!;

        var start = JourneyWalker.Walk(journey, journey.Start, _ => true);
        Assert.Equal(["wait"], start.Taken.Select(s => s.Id));
        Assert.Equal("wait", start.WaitingAt!.Id);

        var loyal = JourneyWalker.Walk(journey, start.WaitingAt.Next, _ => true);
        Assert.Equal(["vip", "task", "email", "points"], loyal.Taken.Select(s => s.Id));
        Assert.True(loyal.Finished);

        var first = JourneyWalker.Walk(journey, start.WaitingAt.Next, _ => false);
        Assert.Equal(["vip", "email", "points"], first.Taken.Select(s => s.Id));
    }

    [Fact]
    public void Waits_DurationTimeOfDayAndCadence()
    {
        var now = new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero);
        var hour = new WaitStep("w", null, TimeSpan.FromHours(1), null, null, false, TimeSpan.Zero, null);
        var nine = new WaitStep("w", null, null, new TimeOnly(9, 0), null, false, TimeSpan.Zero, null);
        var cadence = new WaitStep("w", null, null, null, null, true, TimeSpan.FromDays(3), TimeSpan.FromDays(30));

        Assert.Equal(now.AddHours(1), JourneyWaits.DueAt(hour, now, null));
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 9, 0, 0, TimeSpan.Zero), JourneyWaits.DueAt(nine, now, null));
        Assert.Equal(now.AddDays(17), JourneyWaits.DueAt(cadence, now, now.AddDays(20)));
        Assert.Equal(now, JourneyWaits.DueAt(cadence, now, now.AddDays(1))); // already inside the window: now
        Assert.Equal(now.AddDays(30), JourneyWaits.DueAt(cadence, now, null)); // no cadence yet: the fallback
    }

    [Theory]
    [InlineData("1990-05-17", 2026, 5, 17, 0, true)]
    [InlineData("--05-17", 2026, 5, 10, 7, true)]
    [InlineData("05-17", 2026, 5, 16, 0, false)]
    [InlineData("2000-02-29", 2027, 2, 28, 0, true)]
    [InlineData("2000-02-29", 2028, 2, 28, 0, false)]
    public void YearlyDates_FallOnTheirDay(string trait, int y, int m, int d, int daysBefore, bool expected)
    {
        var date = JourneyWaits.YearlyDate(trait);

        Assert.NotNull(date);
        Assert.Equal(expected, JourneyWaits.FallsOn(date.Value, new DateOnly(y, m, d), daysBefore));
    }

    [Fact]
    public void Durations_ReadAsPeopleWriteThem()
    {
        Assert.True(JourneyDuration.TryParse("1d12h", out var d));
        Assert.Equal(TimeSpan.FromHours(36), d);
        Assert.False(JourneyDuration.TryParse("12", out _));
        Assert.False(JourneyDuration.TryParse("1y", out _));
    }
}
