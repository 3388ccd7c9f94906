using Microsoft.Extensions.Configuration;
using Rapport.Engine.Analytics;
using Rapport.Hosting;

namespace Rapport.Tests.Hosting;

/// <summary>The health rules come from configuration Rapport:Alarms; a bad threshold stops the start with what is wrong.</summary>
public sealed class AlarmRulesConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Configured_ThresholdsBound_OthersDefault()
    {
        var services = new ServiceCollection().AddRelationshipAnalytics(Config(("Rapport:Alarms:CohortWeekReturnBelow", "0.2"), ("Rapport:Alarms:RepeatPeriodDays", "14")));

        var rules = services.BuildServiceProvider().GetRequiredService<AlarmRules>();

        Assert.Equal((0.2, 14, 4), (rules.CohortWeekReturnBelow, rules.RepeatPeriodDays, rules.CohortWeeks));
    }

    [Fact]
    public void OutOfRange_StartRefusedWithTheSetting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddRelationshipAnalytics(Config(("Rapport:Alarms:CohortWeekReturnBelow", "5"))));

        Assert.Contains("CohortWeekReturnBelow must be a share between 0 and 1", e.Message, StringComparison.Ordinal);
    }
}
