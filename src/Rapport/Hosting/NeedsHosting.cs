using System.Globalization;
using Rapport.Core.Events;
using Rapport.Core.Needs;
using Rapport.Core.Segments;
using Rapport.Core.Storage;
using Rapport.Engine.Needs;

namespace Rapport.Hosting;

/// <summary>
/// Needs in the object graph, and its settings (Rapport:Needs:*, environment Rapport__Needs__*):
/// HalfLifeDays (90), SpendWeight (0.667), Clusters ("auto" or 2-20), Seed (42), Schedule (true),
/// RecomputeInterval (1.00:00:00), RefreshDelay (00:00:01, how long new events gather before
/// their customers' needs are recomputed). A bad value stops start-up naming the setting.
/// </summary>
internal static class NeedsHosting
{
    public static IServiceCollection AddNeeds(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetService<IConfiguration>() is { } c ? From(c) : new NeedsOptions());
        services.AddSingleton<NeedsModelCache>();
        services.AddSingleton<NeedsPending>();
        services.AddSingleton<NeedsRefresher>();
        services.AddHostedService<NeedsRefreshService>();
        services.AddSingleton<IEventProjection, NeedsProjection>(); // after OrderProjection: reads the orders and products it wrote
        services.AddSingleton<ICustomerFactSource, NeedsFacts>();
        services.AddSingleton<NeedsClusterFitter>();
        services.AddSingleton<NeedsRecompute>();
        services.AddSingleton<NeedsQueries>();
        services.AddHostedService<NeedsScheduler>();
        return services;
    }

    public static NeedsOptions From(IConfiguration configuration)
    {
        var n = configuration.GetSection("Rapport:Needs");
        var d = NeedsSettings.Default;
        var settings = new NeedsSettings(
            Number(n, "HalfLifeDays", d.HalfLifeDays, "90"),
            Number(n, "SpendWeight", d.SpendWeight, "0.667"));
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException($"Rapport:Needs: {problem}.");
        }

        int? clusters = n["Clusters"] is { Length: > 0 } text && !text.Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) ? k : throw Bad("Clusters", text, "auto or 6")
            : null;
        if (NeedsOptions.ValidateClusters(clusters) is { } bad)
        {
            throw new ArgumentException($"Rapport:Needs:Clusters: {bad}.");
        }

        var interval = n["RecomputeInterval"] is { Length: > 0 } i
            ? TimeSpan.TryParse(i, CultureInfo.InvariantCulture, out var t) && t >= TimeSpan.FromMinutes(1) ? t : throw Bad("RecomputeInterval", i, "1.00:00:00 (at least a minute)")
            : (TimeSpan?)null;
        return new NeedsOptions(
            settings,
            clusters,
            n["Seed"] is { Length: > 0 } seed ? int.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw Bad("Seed", seed, "42") : 42,
            n["Schedule"] is { Length: > 0 } on ? bool.TryParse(on, out var b) ? b : throw Bad("Schedule", on, "true") : true,
            interval,
            n["RefreshDelay"] is { Length: > 0 } r
                ? TimeSpan.TryParse(r, CultureInfo.InvariantCulture, out var delay) && delay >= TimeSpan.Zero && delay <= TimeSpan.FromMinutes(1) ? delay : throw Bad("RefreshDelay", r, "00:00:01 (at most a minute)")
                : null);
    }

    private static double Number(IConfigurationSection section, string key, double fallback, string example) =>
        section[key] is { Length: > 0 } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : throw Bad(key, text, example)
            : fallback;

    private static ArgumentException Bad(string key, string value, string example) =>
        new($"Rapport:Needs:{key} '{value}' is not valid; use a value such as {example}.");
}

/// <summary>
/// Recomputes the needs of customers marked by ingestion (NeedsRefresher): wakes when a commit
/// marked someone, lets more events gather for RefreshDelay, then drains. Drains once at start
/// too, for customers marked before a crash or stop. A failed pass is logged and retried.
/// </summary>
internal sealed class NeedsRefreshService(NeedsRefresher refresher, NeedsPending pending, NeedsOptions options, ILogger<NeedsRefreshService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        pending.Wake();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await refresher.WaitForWorkAsync(stoppingToken);
                if (options.Linger > TimeSpan.Zero)
                {
                    await Task.Delay(options.Linger, stoppingToken); // wall-clock batching, not business time
                }

                try
                {
                    await refresher.DrainAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "needs: refreshing marked customers failed; retrying");
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                    pending.Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; marked customers stay marked for the next start.
        }
    }
}

/// <summary>
/// Recomputes needs and refits the clusters on a schedule: due one interval after the last fit
/// recorded in the store, fitted or failed (so a restart does not reset the clock), or one
/// interval after start when there has been none. A run that throws is logged and retried after
/// 15 minutes; one already running (asked for through the API) is waited for a minute at a time.
/// </summary>
internal sealed class NeedsScheduler(
    NeedsRecompute recompute, NeedsOptions options, IDatabase database, TimeProvider clock, ILogger<NeedsScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Scheduled)
        {
            return;
        }

        await Task.Yield();
        var started = clock.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var last = await LastFitAsync(stoppingToken);
                var wait = (last ?? started) + options.Interval - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, stoppingToken);
                    continue;
                }

                try
                {
                    if (await recompute.TryRunAsync(new NeedsRecomputeRequest(), null, stoppingToken) is { } s)
                    {
                        logger.LogInformation("needs: scheduled recomputation of {Customers} customers done in {Seconds:0.0} s", s.Customers, s.TotalSeconds);
                    }
                    else
                    {
                        await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "needs: the scheduled recomputation failed; retrying in 15 minutes");
                    await Task.Delay(TimeSpan.FromMinutes(15), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task<DateTimeOffset?> LastFitAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var at = await Dapper.SqlMapper.ExecuteScalarAsync<long?>(c, new Dapper.CommandDefinition("SELECT MAX(fitted_at) FROM needs_models", cancellationToken: ct));
        return at is { } ms ? Rapport.Core.Storage.UnixTime.FromStorage(ms) : null;
    }
}
