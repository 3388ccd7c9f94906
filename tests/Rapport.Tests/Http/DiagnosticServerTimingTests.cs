using System.Globalization;
using System.Text.RegularExpressions;
using Rapport.Tests.Collect;

namespace Rapport.Tests.Http;

/// <summary>
/// The opt-in Server-Timing header the load client reads (src/Rapport/Http/DiagnosticServerTiming.cs):
/// off by default, and with Rapport__Http__ServerTiming=true on every reply, errors included,
/// with the server's time, gen0 count and allocated bytes.
/// </summary>
public sealed partial class DiagnosticServerTimingTests
{
    [Fact]
    public async Task ByDefault_ApiRepliesCarryNoServerTiming()
    {
        await using var server = await ApiServer.StartAsync();

        using var health = await server.Admin.GetAsync("/health");
        using var unknown = await server.Admin.GetAsync("/v1/customers/999/loyalty");

        Assert.True(health.IsSuccessStatusCode);
        Assert.False(health.Headers.Contains("Server-Timing"));
        Assert.False(unknown.Headers.Contains("Server-Timing"));
    }

    [Fact]
    public async Task Enabled_EveryReplySaysTheServersTimeGen0CountAndAllocatedBytes()
    {
        var dir = Directory.CreateTempSubdirectory("rapport-server-timing-");
        var store = Path.Combine(dir.FullName, "store.db");
        var admin = await RapportProcess.CreateKeyAsync(store, "admin");
        await using var server = await RapportProcess.StartAsync(store, environment: new Dictionary<string, string> { ["Rapport__Http__ServerTiming"] = "true" });
        using var http = new HttpClient { BaseAddress = server.Address };

        using var health = await http.GetAsync("/health");
        using var noKey = await http.GetAsync("/v1/loyalty/program");
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(admin + ":")));
        using var program = await http.GetAsync("/v1/loyalty/program");

        var seen = new List<(double Ms, long Gen0, long Allocated)>();
        foreach (var reply in new[] { health, noKey, program })
        {
            var value = string.Join(", ", reply.Headers.GetValues("Server-Timing"));
            var m = Timing().Match(value);
            Assert.True(m.Success, $"{(int)reply.StatusCode} {reply.RequestMessage!.RequestUri}: Server-Timing '{value}'");
            seen.Add((double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["gc"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["alloc"].Value, CultureInfo.InvariantCulture)));
        }

        Assert.Equal(401, (int)noKey.StatusCode);
        Assert.All(seen, s => Assert.InRange(s.Ms, 0, 60_000));
        Assert.True(seen[2].Allocated > seen[0].Allocated, "a later reply has allocated more since the server started");
        Assert.True(seen[2].Gen0 >= seen[0].Gen0);
    }

    [GeneratedRegex(@"^app;dur=(?<ms>[0-9]+\.[0-9]{3}), gc0;desc=(?<gc>[0-9]+), alloc;desc=(?<alloc>[0-9]+)$")]
    private static partial Regex Timing();
}
