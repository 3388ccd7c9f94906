using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Tests.Segments;

public sealed class SegmentEvaluationTests
{
    private const int Today = 20_500;

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Matches_AndOrNot_FollowBooleanLogic(bool a, bool b)
    {
        var set = Set("traits.a = 1 and traits.b = 1", "traits.a = 1 or traits.b = 1", "not traits.a = 1", "not (traits.a = 1 and traits.b = 1)");
        var s = set.NewSnapshot(1);
        s.SetField(set.FieldSlotOf("traits.a"), FieldValue.Of(a ? "1" : "0"));
        s.SetField(set.FieldSlotOf("traits.b"), FieldValue.Of(b ? "1" : "0"));

        Assert.Equal([a && b, a || b, !a, !(a && b)], Enumerable.Range(0, 4).Select(i => set.Matches(s, i, Today)));
    }

    [Theory]
    [InlineData("value.revenue >= 100", 100.0, true)]
    [InlineData("value.revenue >= 100", 99.99, false)]
    [InlineData("value.revenue > 100", 100.0, false)]
    [InlineData("value.revenue < 100", 99.0, true)]
    [InlineData("value.revenue <= 100", 100.0, true)]
    [InlineData("value.revenue = 100", 100.0, true)]
    [InlineData("value.revenue != 100", 100.0, false)]
    [InlineData("value.revenue != 100", 5.0, true)]
    [InlineData("value.revenue in (5, 6)", 6.0, true)]
    [InlineData("value.revenue in (5, 6)", 7.0, false)]
    [InlineData("value.revenue exists", 0.0, true)]
    public void Matches_NumberField_ComparesNumbers(string text, double revenue, bool expected)
    {
        var set = Set(text);
        var s = set.NewSnapshot(1);
        s.SetField(set.FieldSlotOf("value.revenue"), FieldValue.Of(revenue));

        Assert.Equal(expected, set.Matches(s, 0, Today));
    }

    [Theory]
    [InlineData("value.revenue >= 100")]
    [InlineData("value.revenue < 100")]
    [InlineData("value.revenue != 100")]
    [InlineData("value.revenue = 100")]
    [InlineData("value.revenue exists")]
    [InlineData("value.tier = \"gold\"")]
    [InlineData("value.tier != \"gold\"")]
    [InlineData("traits.plan in (\"pro\")")]
    public void Matches_MissingValue_IsFalseForEveryComparison(string text)
    {
        var set = Set(text);

        Assert.False(set.Matches(set.NewSnapshot(1), 0, Today));
    }

    [Theory]
    [InlineData("not value.revenue >= 100")]
    [InlineData("not value.tier = \"gold\"")]
    [InlineData("not traits.plan exists")]
    public void Matches_NotOfMissingValue_IsTrue(string text)
    {
        var set = Set(text);

        Assert.True(set.Matches(set.NewSnapshot(1), 0, Today));
    }

    [Theory]
    [InlineData("traits.age >= 18", "21", true)]
    [InlineData("traits.age >= 18", "17.5", false)]
    [InlineData("traits.age >= 18", "unknown", false)]
    [InlineData("traits.age = 21", "21.0", true)]
    [InlineData("traits.plan = \"pro\"", "PRO", true)]
    [InlineData("traits.plan = \"pro\"", "team", false)]
    [InlineData("traits.plan != \"pro\"", "team", true)]
    [InlineData("traits.plan in (\"pro\", \"team\")", "Team", true)]
    [InlineData("traits.vip = true", "true", true)]
    [InlineData("traits.vip = true", "false", false)]
    [InlineData("traits.vip != true", "false", true)]
    [InlineData("traits.zip = \"01234\"", "01234", true)]
    public void Matches_Trait_ComparesAsNumberOrTextIgnoringCase(string text, string trait, bool expected)
    {
        var set = Set(text);
        var s = set.NewSnapshot(1);
        s.SetField(0, FieldValue.Of(trait));

        Assert.Equal(expected, set.Matches(s, 0, Today));
    }

    [Theory]
    [InlineData(0, 7, true)]
    [InlineData(-7, 7, true)]
    [InlineData(-8, 7, false)]
    [InlineData(-89, 90, true)]
    [InlineData(-90, 90, true)]
    [InlineData(-91, 90, false)]
    [InlineData(1, 7, true)]
    public void Matches_EventInWindow_CountsFromMidnightNDaysAgo(int dayOffset, int window, bool expected)
    {
        var set = Set($"bought(last {window} days)");
        var s = set.NewSnapshot(1);
        set.Apply(s, Track("Order Completed", Today + dayOffset), Today);

        Assert.Equal(expected, set.Matches(s, 0, Today));
    }

    [Theory]
    [InlineData(">= 2", new[] { 0, 0, 1, 0, 1, 1, 1 })]
    [InlineData("<= 1", new[] { 1, 1, 0, 1, 0, 0, 0 })]
    [InlineData("= 2", new[] { 0, 0, 1, 0, 1, 0, 0 })]
    [InlineData("!= 2", new[] { 1, 1, 0, 1, 0, 1, 1 })]
    [InlineData("> 2", new[] { 0, 0, 0, 0, 0, 1, 1 })]
    [InlineData("< 2", new[] { 1, 1, 0, 1, 0, 0, 0 })]
    public void Matches_CountComparison_TruthTable(string comparison, int[] expected)
    {
        // Orders in the 30-day window: 0, 1, 2 (a third is older), 1, 2, 3, 4.
        int[][] orderDays = [[], [0], [-1, -5, -40], [-29], [0, -29], [0, -1, -2], [0, 0, 0, 0]];
        var set = Set($"count(track \"Order Completed\", last 30 days) {comparison}");
        var results = orderDays.Select(days =>
        {
            var s = set.NewSnapshot(1);
            foreach (var d in days)
            {
                set.Apply(s, Track("Order Completed", Today + d), Today);
            }

            return set.Matches(s, 0, Today) ? 1 : 0;
        });

        Assert.Equal(expected, results);
    }

    [Fact]
    public void Apply_Filters_MatchEventPropertyOrOneProduct()
    {
        var set = Set("bought(category = \"Lamps\", brand = \"Acme\", last 7 days)");
        var order = new JsonObject
        {
            ["brand"] = "Acme",
            ["products"] = new JsonArray(
                new JsonObject { ["category"] = "Chairs", ["brand"] = "Ikea" },
                new JsonObject { ["category"] = "Lamps" }),
        };
        var mixed = new JsonObject
        {
            ["products"] = new JsonArray(
                new JsonObject { ["category"] = "Lamps", ["brand"] = "Ikea" },
                new JsonObject { ["category"] = "Chairs", ["brand"] = "Acme" }),
        };

        Assert.True(set.Apply(set.NewSnapshot(1), Track("Order Completed", Today, order), Today));
        Assert.False(set.Apply(set.NewSnapshot(1), Track("Order Completed", Today, mixed), Today));
        Assert.False(set.Apply(set.NewSnapshot(1), Track("Order Completed", Today, []), Today));
    }

    [Theory]
    [InlineData("""{"total": 150}""", true)]
    [InlineData("""{"total": "150.5"}""", true)]
    [InlineData("""{"total": 99}""", false)]
    [InlineData("""{"total": "n/a"}""", false)]
    [InlineData("""{}""", false)]
    public void Apply_NumberFilter_ReadsNumbersAndNumericStrings(string properties, bool expected)
    {
        var set = Set("bought(total >= 100, last 7 days)");

        Assert.Equal(expected, set.Apply(set.NewSnapshot(1), Track("Order Completed", Today, JsonNode.Parse(properties)!.AsObject()), Today));
    }

    [Theory]
    [InlineData("""{"category": "Lamps"}""", true)]
    [InlineData("""{"category": "LAMPS"}""", true)]
    [InlineData("""{"category": "lamps "}""", false)]
    [InlineData("""{"category": "Lamp"}""", false)]
    [InlineData("""{"category": "L\u0061mps"}""", true)]
    [InlineData("""{"category": "Lämps"}""", false)]
    [InlineData("""{"category": 5}""", false)]
    [InlineData("""{"products": [{"category": "Chairs"}, {"category": "lamps"}]}""", true)]
    public void Apply_TextFilterOnParsedJson_EqualsIgnoringCase(string properties, bool expected)
    {
        var set = Set("viewed(category = \"Lamps\", last 7 days)", "viewed(category != \"Lamps\", last 7 days)");
        var s = set.NewSnapshot(1);

        set.Apply(s, Track("Product Viewed", Today, JsonNode.Parse(properties)!.AsObject()), Today);

        Assert.Equal(expected, set.Matches(s, 0, Today));
    }

    [Fact]
    public void Apply_NonAsciiTextFilter_EqualsIgnoringCase()
    {
        var set = Set("viewed(category = \"Lämpör\", last 7 days)");
        var s = set.NewSnapshot(1);

        set.Apply(s, Track("Product Viewed", Today, JsonNode.Parse("""{"category": "LÄMPÖR"}""")!.AsObject()), Today);

        Assert.True(set.Matches(s, 0, Today));
    }

    [Theory]
    [InlineData("store", true)]
    [InlineData("web", false)]
    public void Apply_ChannelFilter_TestsEventChannel(string channel, bool expected)
    {
        var set = Set("bought(channel = \"store\", last 7 days)");
        var e = new BehaviourEvent("track", "Order Completed", channel, Ms(Today), null);

        Assert.Equal(expected, set.Apply(set.NewSnapshot(1), e, Today));
    }

    [Fact]
    public void Apply_TypeWithoutName_CountsEveryEventOfType()
    {
        var set = Set("count(page, last 7 days) >= 2");
        var s = set.NewSnapshot(1);
        set.Apply(s, new BehaviourEvent("page", "Home", "web", Ms(Today), null), Today);
        set.Apply(s, new BehaviourEvent("page", null, "web", Ms(Today), null), Today);
        set.Apply(s, new BehaviourEvent("track", "Home", "web", Ms(Today), null), Today);

        Assert.Equal(2, s.CountSince(0, Today - 7));
        Assert.True(set.Matches(s, 0, Today));
    }

    [Fact]
    public void Apply_MembershipEvent_IsNeverCounted()
    {
        var set = Set("count(track, last 7 days)");

        Assert.False(set.Apply(set.NewSnapshot(1), Track("Segment Entered", Today), Today));
    }

    [Fact]
    public void Apply_EventOlderThanLongestWindow_IsIgnored()
    {
        var set = Set("bought(last 7 days)", "bought(last 30 days)");
        var s = set.NewSnapshot(1);

        Assert.True(set.Apply(s, Track("Order Completed", Today - 30), Today));
        Assert.False(set.Apply(s, Track("Order Completed", Today - 31), Today));
        Assert.Single(set.Selectors);
    }

    [Fact]
    public void Evaluate_Changes_ReportsEnteredAndLeftOnce()
    {
        var set = Set("bought(last 7 days)", "not bought(last 7 days)");
        var s = set.NewSnapshot(42);
        var changes = new List<MembershipChange>();

        set.Evaluate(s, Today, changes);
        set.Apply(s, Track("Order Completed", Today), Today);
        set.Evaluate(s, Today, changes);
        set.Evaluate(s, Today, changes);
        set.Evaluate(s, Today + 8, changes);

        Assert.Equal(
            [new(42, 1, true), new(42, 0, true), new(42, 1, false), new(42, 0, false), new(42, 1, true)],
            changes);
    }

    [Fact]
    public void NextChangeDay_EventsInWindows_IsTheDayTheFirstLeaves()
    {
        var set = Set("bought(last 7 days)", "bought(last 30 days) >= 2");
        var s = set.NewSnapshot(1);
        Assert.Equal(int.MaxValue, set.NextChangeDay(s, Today));

        set.Apply(s, Track("Order Completed", Today - 20), Today);
        set.Apply(s, Track("Order Completed", Today - 2), Today);

        Assert.Equal(Today + 6, set.NextChangeDay(s, Today));
        Assert.Equal(Today + 11, set.NextChangeDay(s, Today + 6));
        Assert.Equal(Today + 29, set.NextChangeDay(s, Today + 11));
        Assert.Equal(int.MaxValue, set.NextChangeDay(s, Today + 29));
    }

    [Fact]
    public void DayOf_UnixMilliseconds_IsUtcDay()
    {
        Assert.Equal(0, SegmentSet.DayOf(0));
        Assert.Equal(0, SegmentSet.DayOf(86_399_999));
        Assert.Equal(1, SegmentSet.DayOf(86_400_000));
        Assert.Equal(-1, SegmentSet.DayOf(-1));
        Assert.Equal(-1, SegmentSet.DayOf(-86_400_000));
        Assert.Equal(-2, SegmentSet.DayOf(-86_400_001));
    }

    [Fact]
    public void Compile_SameSelectorInTwoSegments_SharesOneCounter()
    {
        var set = Set("bought(category = \"Lamps\", channel = \"web\", last 7 days)", "bought(channel = \"web\", category = \"Lamps\", last 90 days) >= 2", "bought(last 7 days)");

        Assert.Equal(2, set.Selectors.Count);
        Assert.Equal([7, 90], set.Selectors[0].Windows);
        Assert.Equal(90, set.MaxWindow);
    }

    // The three examples.

    [Fact]
    public void Matches_OrderCompletedTwiceIn90Days_FollowsOrdersAndTime()
    {
        var set = Set("count(track \"Order Completed\", last 90 days) >= 2");
        var s = set.NewSnapshot(1);
        set.Apply(s, Track("Order Completed", Today - 100), Today);
        set.Apply(s, Track("Order Completed", Today - 50), Today);
        Assert.False(set.Matches(s, 0, Today));

        set.Apply(s, Track("Order Completed", Today - 10), Today);
        Assert.True(set.Matches(s, 0, Today));
        Assert.True(set.Matches(s, 0, Today + 40));
        Assert.False(set.Matches(s, 0, Today + 41));
    }

    [Fact]
    public void Matches_ViewedLampsAndDidNotBuy_LeavesWhenALampIsBought()
    {
        var set = Set("viewed(category = \"Lamps\", last 7 days) and not bought(category = \"Lamps\", last 7 days)");
        var s = set.NewSnapshot(1);
        set.Apply(s, Track("Product Viewed", Today - 1, new JsonObject { ["category"] = "Lamps", ["product_id"] = "L1" }), Today);
        Assert.True(set.Matches(s, 0, Today));

        set.Apply(s, Track("Order Completed", Today, new JsonObject { ["products"] = new JsonArray(new JsonObject { ["category"] = "Chairs" }) }), Today);
        Assert.True(set.Matches(s, 0, Today));

        set.Apply(s, Track("Order Completed", Today, new JsonObject { ["products"] = new JsonArray(new JsonObject { ["category"] = "Lamps" }) }), Today);
        Assert.False(set.Matches(s, 0, Today));
    }

    [Theory]
    [InlineData(0.2, 0.85, true)]
    [InlineData(0.2, 0.8, true)]
    [InlineData(0.3, 0.85, false)]
    [InlineData(0.2, 0.79, false)]
    [InlineData(double.NaN, 0.9, false)]
    public void Matches_AtRiskAndTopClv_NeedsBoth(double pAlive, double clvPercentile, bool expected)
    {
        var set = Set("prediction.p_alive < 0.3 and prediction.clv_percentile >= 0.8");
        var s = set.NewSnapshot(1);
        s.SetField(set.FieldSlotOf("prediction.p_alive"), FieldValue.Of(pAlive));
        s.SetField(set.FieldSlotOf("prediction.clv_percentile"), FieldValue.Of(clvPercentile));

        Assert.Equal(expected, set.Matches(s, 0, Today));
    }

    [Fact]
    public void Fields_OfManySnapshots_SharingStorage_StayEachSnapshotsOwn()
    {
        // More snapshots than one shared array holds, fields set in an order that interleaves them.
        var set = Set("traits.a = 1", "value.revenue >= 1");
        var (a, revenue) = (set.FieldSlotOf("traits.a"), set.FieldSlotOf("value.revenue"));
        // Most shared (a full load's), every third with an array of its own (a decision's), interleaved.
        var snapshots = Enumerable.Range(0, 10_000).Select(i => set.NewSnapshot(i, sharedFields: i % 3 != 0)).ToArray();
        foreach (var s in snapshots.Reverse())
        {
            s.SetField(revenue, FieldValue.Of((double)s.CustomerId));
        }

        foreach (var s in snapshots.Where(s => s.CustomerId % 2 == 0))
        {
            s.SetField(a, FieldValue.Of(s.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        snapshots[5_000].ClearFields("traits");
        snapshots[7_000].ClearFields("value");

        Assert.All(snapshots, s =>
        {
            var id = s.CustomerId;
            Assert.Equal(id == 7_000 ? (long?)null : id, s.Field(revenue).HasNumber ? (long)s.Field(revenue).Number : null);
            Assert.Equal(id % 2 == 0 && id != 5_000 ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, s.Field(a).Text);
        });
        Assert.False(set.NewSnapshot(10_001).Field(a).HasValue); // a new snapshot starts with every field missing
    }

    private static SegmentSet Set(params string[] texts) =>
        SegmentSet.Compile(texts.Select(t => SegmentDefinition.Parse(t) is { Ok: true } r ? r.Definition! : throw new ArgumentException(string.Join("; ", SegmentDefinition.Parse(t).Errors))).ToList());

    private static long Ms(int day) => (day * 86_400_000L) + 36_000_000;

    private static BehaviourEvent Track(string name, int day, JsonObject? properties = null) =>
        new("track", name, "web", Ms(day), properties ?? []);
}
