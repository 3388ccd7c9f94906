using System.Globalization;
using Rapport.Core.Preferences;

namespace Rapport.Hosting;

/// <summary>
/// The preference centre and progressive profiling, and <see cref="PreferenceOptions"/> from
/// configuration: Rapport:Preferences:LinkDays (how long a preference-centre link works, 1 to
/// 365, default 30). A bad value stops start-up with a message naming the setting.
/// </summary>
internal static class PreferencesHosting
{
    public static IServiceCollection AddPreferences(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetService<IConfiguration>() is { } config ? From(config) : new PreferenceOptions());
        services.AddSingleton<PreferenceLinks>();
        services.AddSingleton<ProfilingService>();
        services.AddSingleton<ErasureRequests>();
        services.AddSingleton<PreferenceCentre>();
        services.AddSingleton<LinkRequests>();
        return services;
    }

    public static PreferenceOptions From(IConfiguration configuration)
    {
        var days = configuration["Rapport:Preferences:LinkDays"];
        if (string.IsNullOrEmpty(days))
        {
            return new PreferenceOptions();
        }

        return int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 365
            ? new PreferenceOptions { LinkLifetime = TimeSpan.FromDays(d) }
            : throw new ArgumentException($"Rapport:Preferences:LinkDays: '{days}' should be a whole number of days from 1 to 365, such as 30.");
    }
}
