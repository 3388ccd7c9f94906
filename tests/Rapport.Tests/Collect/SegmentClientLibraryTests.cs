using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Keys;
using Rapport.Hosting;

namespace Rapport.Tests.Collect;

/// <summary>
/// "Existing Segment or RudderStack client libraries pointed at Rapport's URL must work
/// unchanged": the official Node libraries (tests/clients/*, versions pinned by their
/// package-lock.json) send a customer's journey to a real Rapport HTTP server, and the admin
/// API must show every message once, with its type, name and properties, on one merged customer.
/// Needs node 20+ and npm; without them these tests fail, they never skip.
/// </summary>
public sealed class SegmentClientLibraryTests
{
    private const string NodeHint = "install Node.js 20+ and npm (Debian: apt-get install -y nodejs npm) so the official Segment/RudderStack libraries can run.";
    private const int JourneyMessages = 56;

    [Fact]
    public async Task SegmentAnalyticsNode_CustomerJourney_EveryMessageStoredOnceOnOneMergedCustomer()
    {
        var (manifest, batchRequests, _) = await RunClientAsync("segment-node");

        Assert.True(batchRequests >= 4, $"@segment/analytics-node sends 15 messages per /v1/batch request; only {batchRequests} requests arrived.");
        Assert.Equal(batchRequests, manifest.GetProperty("requests").GetInt32());
        Assert.All(manifest.GetProperty("messages").EnumerateArray(),
            m => Assert.StartsWith("node-next-", m.GetProperty("messageId").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RudderSdkNode_GzippedCustomerJourney_EveryMessageStoredOnceOnOneMergedCustomer()
    {
        var (_, batchRequests, gzipped) = await RunClientAsync("rudderstack-node");

        Assert.True(batchRequests >= 3, $"@rudderstack/rudder-sdk-node sends 20 messages per /v1/batch request; only {batchRequests} requests arrived.");
        Assert.Equal(batchRequests, gzipped);
    }

    /// <summary>Serves Rapport on loopback, runs the client's send.mjs against it and checks what was stored.</summary>
    private static async Task<(JsonElement Manifest, int BatchRequests, int Gzipped)> RunClientAsync(string client)
    {
        using var temp = new TempStore(client);
        var counter = new RequestCounter();
        var database = await StoreFactory.OpenMigratedAsync(temp.DatabasePath);
        await using var __ = database;
        var app = RapportApp.Build(database, TimeProvider.System, "http://127.0.0.1:0",
            services => services.AddSingleton<IStartupFilter>(counter));
        await using var _ = app;
        await app.StartAsync();
        var address = app.Urls.First();
        var keys = app.Services.GetRequiredService<ApiKeys>();
        var (writeKey, _) = await keys.CreateAsync(KeyKind.Write, client);
        var (adminKey, _) = await keys.CreateAsync(KeyKind.Admin, "test");

        var folder = await EnsureInstalledAsync(client);
        var run = Guid.NewGuid().ToString("N")[..12];
        var result = await ExternalProcess.RunAsync("node", ["send.mjs", address, writeKey, run], TimeSpan.FromMinutes(2), NodeHint, folder);
        Assert.True(result.ExitCode == 0, result.Describe($"node {client}/send.mjs"));
        var manifest = JsonDocument.Parse(result.StdOut.Trim().Split('\n')[^1]).RootElement;

        using var admin = new HttpClient { BaseAddress = new Uri(address) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(adminKey + ":")));
        await AssertJourneyStoredAsync(admin, run, manifest);
        await app.StopAsync();
        return (manifest, counter.BatchRequests, counter.Gzipped);
    }

    private static async Task AssertJourneyStoredAsync(HttpClient admin, string run, JsonElement manifest)
    {
        var sent = manifest.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(JourneyMessages, sent.Count);
        Assert.Equal(JourneyMessages, sent.Select(m => m.GetProperty("messageId").GetString()).Distinct().Count());

        // Identities merged: the anonymous visit, the aliased old device, the email and the user are one customer.
        var profile = await GetAsync(admin, $"/v1/customers/lookup?kind=user_id&value=user-{run}");
        var customer = profile["id"]!.GetValue<long>();
        foreach (var (kind, value) in new[] { ("anonymous_id", $"anon-{run}"), ("anonymous_id", $"legacy-{run}"), ("email", $"ann.{run}@example.com") })
        {
            Assert.Equal(customer, (await GetAsync(admin, $"/v1/customers/lookup?kind={kind}&value={Uri.EscapeDataString(value)}"))["id"]!.GetValue<long>());
        }

        var identifiers = profile["identifiers"]!.AsArray().Select(i => $"{i!["kind"]}:{i["value"]}").Order().ToList();
        Assert.Equal([$"anonymous_id:anon-{run}", $"anonymous_id:legacy-{run}", $"email:ann.{run}@example.com", $"user_id:user-{run}"], identifiers);
        Assert.Equal("Ann Example", profile["traits"]!["name"]!["value"]!.GetValue<string>());
        Assert.Equal("gold", profile["traits"]!["plan"]!["value"]!.GetValue<string>());
        Assert.Equal(1, profile["orders"]!["orders"]!.GetValue<int>());
        Assert.Equal(61.5m, profile["orders"]!["revenue"]!.GetValue<decimal>());

        // Every message once, as sent.
        var timeline = (await GetAsync(admin, $"/v1/customers/{customer}/timeline?limit=200"))["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(JourneyMessages, timeline.Count);
        var byId = timeline.ToDictionary(t => t["messageId"]!.GetValue<string>(), StringComparer.Ordinal);
        foreach (var m in sent)
        {
            var id = m.GetProperty("messageId").GetString()!;
            Assert.True(byId.TryGetValue(id, out var stored), $"Message {id} ({m}) is not on customer {customer}'s timeline.");
            AssertStoredAsSent(m.GetProperty("method").GetString()!, JsonNode.Parse(m.GetProperty("params").GetRawText())!.AsObject(), stored);
        }
    }

    private static void AssertStoredAsSent(string method, JsonObject sent, JsonObject stored)
    {
        Assert.Equal(method, stored["type"]!.GetValue<string>());
        var properties = stored["properties"]!.AsObject();
        switch (method)
        {
            case "track":
                Assert.Equal(sent["event"]!.GetValue<string>(), stored["name"]!.GetValue<string>());
                AssertContains(sent["properties"]!.AsObject(), properties);
                break;
            case "page":
                Assert.Equal(sent["name"]!.GetValue<string>(), stored["name"]!.GetValue<string>());
                AssertContains(sent["properties"]!.AsObject(), properties);
                break;
            case "identify":
                AssertContains(sent["traits"]!.AsObject(), properties);
                break;
            case "group":
                AssertContains(sent["traits"]!.AsObject(), properties);
                Assert.Equal(sent["groupId"]!.GetValue<string>(), properties["groupId"]!.GetValue<string>());
                break;
            case "alias":
                Assert.Equal(sent["previousId"]!.GetValue<string>(), properties["previousId"]!.GetValue<string>());
                break;
            default:
                Assert.Fail($"Unexpected method {method}.");
                break;
        }
    }

    /// <summary>Every sent field is stored with the same value (libraries may add fields, e.g. page category).</summary>
    private static void AssertContains(JsonObject expected, JsonObject actual)
    {
        foreach (var (name, value) in expected)
        {
            Assert.True(JsonNode.DeepEquals(value, actual[name]), $"'{name}': sent {value?.ToJsonString()}, stored {actual[name]?.ToJsonString()} in {actual.ToJsonString()}.");
        }
    }

    private static async Task<JsonObject> GetAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>tests/clients/NAME with its pinned packages installed (`npm ci` once, from the lock file).</summary>
    private static async Task<string> EnsureInstalledAsync(string client)
    {
        var folder = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "clients", client);
        Assert.True(File.Exists(Path.Combine(folder, "package-lock.json")), $"{folder}/package-lock.json is missing.");
        var node = await ExternalProcess.RunAsync("node", ["--version"], TimeSpan.FromSeconds(30), NodeHint);
        Assert.True(node.ExitCode == 0 && Version.TryParse(node.StdOut.Trim().TrimStart('v'), out var v) && v.Major >= 20,
            $"Node.js 20+ is required, found '{node.StdOut.Trim()}': {NodeHint}");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            var npm = await ExternalProcess.RunAsync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5), NodeHint, folder);
            Assert.True(npm.ExitCode == 0, npm.Describe($"npm ci in {folder}"));
        }

        return folder;
    }

    /// <summary>Counts the /v1/batch requests the library made and how many had a gzip body.</summary>
    private sealed class RequestCounter : IStartupFilter
    {
        private int _batchRequests;
        private int _gzipped;

        public int BatchRequests => Volatile.Read(ref _batchRequests);

        public int Gzipped => Volatile.Read(ref _gzipped);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, Func<Task> inner) =>
            {
                if (context.Request.Path == "/v1/batch")
                {
                    Interlocked.Increment(ref _batchRequests);
                    if (context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
                    {
                        Interlocked.Increment(ref _gzipped);
                    }
                }

                await inner();
            });
            next(app);
        };
    }
}
