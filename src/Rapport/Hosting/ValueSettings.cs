using System.Globalization;
using Rapport.Core.Value;
using Rapport.Engine.Value;

namespace Rapport.Hosting;

/// <summary>
/// <see cref="ValueOptions"/> from configuration (environment variables with __ for :):
/// Rapport:Value:Schedule (true/false), Rapport:Value:RecomputeInterval and
/// Rapport:Value:RefitInterval (TimeSpan, e.g. 1.00:00:00 or 06:00:00), Rapport:Value:RfmBuckets,
/// Rapport:Value:ParetoTop, Rapport:Value:Tiers ("platinum:0.05,gold:0.2,silver:0.5,bronze:1"),
/// Rapport:Clv:Model, Rapport:Clv:HorizonWeeks, Rapport:Clv:DiscountRate, Rapport:Clv:Margin.
/// A bad value stops start-up with a message naming the setting and a good value.
/// </summary>
internal static class ValueSettings
{
    public static ValueOptions From(IConfiguration configuration)
    {
        var defaults = new ValueOptions();
        var v = configuration.GetSection("Rapport:Value");
        var c = configuration.GetSection("Rapport:Clv");
        var clv = new ClvFitRequest(
            c["Model"] ?? defaults.Clv.Model,
            Parse(c, "HorizonWeeks", defaults.Clv.HorizonWeeks, s => int.Parse(s, CultureInfo.InvariantCulture), "52"),
            Parse(c, "DiscountRate", defaults.Clv.DiscountRate, s => double.Parse(s, CultureInfo.InvariantCulture), "0.1"),
            c["Margin"] is { Length: > 0 } ? Parse<double?>(c, "Margin", null, s => double.Parse(s, CultureInfo.InvariantCulture), "0.3") : null);
        if (clv.Validate() is { } problem)
        {
            throw new ArgumentException($"Rapport:Clv: {problem}");
        }

        var options = new ValueOptions
        {
            Scheduled = Parse(v, "Schedule", defaults.Scheduled, s => bool.Parse(s), "true"),
            RecomputeInterval = Parse(v, "RecomputeInterval", defaults.RecomputeInterval, Interval, "1.00:00:00"),
            RefitInterval = Parse(v, "RefitInterval", defaults.RefitInterval, Interval, "1.00:00:00"),
            RfmBuckets = Parse(v, "RfmBuckets", defaults.RfmBuckets, s => int.Parse(s, CultureInfo.InvariantCulture), "5"),
            ParetoTop = Parse(v, "ParetoTop", defaults.ParetoTop, s => double.Parse(s, CultureInfo.InvariantCulture), "0.2"),
            Tiers = Parse(v, "Tiers", defaults.Tiers, Tiers, "platinum:0.05,gold:0.2,silver:0.5,bronze:1"),
            Clv = clv,
        };
        if (options.RfmBuckets is < 2 or > 100)
        {
            throw new ArgumentException($"Rapport:Value:RfmBuckets {options.RfmBuckets} must be between 2 and 100 (5 gives quintiles).");
        }

        if (!(options.ParetoTop is > 0 and < 1))
        {
            throw new ArgumentException($"Rapport:Value:ParetoTop {options.ParetoTop} must be between 0 and 1, e.g. 0.2 for the top 20%.");
        }

        return options;
    }

    private static TimeSpan Interval(string s)
    {
        var t = TimeSpan.Parse(s, CultureInfo.InvariantCulture);
        return t >= TimeSpan.FromMinutes(1) ? t : throw new FormatException("an interval must be at least one minute");
    }

    private static ValueTiers Tiers(string s) =>
        new(s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split(':') is [var name, var share]
                ? new ValueTier(name.Trim(), double.Parse(share, CultureInfo.InvariantCulture))
                : throw new FormatException($"'{part}' is not name:topShare"))
            .ToList());

    private static T Parse<T>(IConfiguration section, string key, T fallback, Func<string, T> parse, string example)
    {
        if (section[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        try
        {
            return parse(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            var path = section is IConfigurationSection s ? s.Path : "";
            throw new ArgumentException($"{path}:{key} '{text}' is not usable ({e.Message}); for example {example}.", e);
        }
    }
}
