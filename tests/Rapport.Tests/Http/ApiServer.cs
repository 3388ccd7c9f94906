using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Keys;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Http;

/// <summary>The real Rapport host on a loopback port over a fresh store, with a write and an admin key.</summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private readonly bool _ownsDb;

    private ApiServer(WebApplication app, TestDatabase db, FakeTimeProvider clock, Uri address, string writeKey, string adminKey, RequestLog requests, bool ownsDb = true)
    {
        _ownsDb = ownsDb;
        Requests = requests;
        App = app;
        Db = db;
        Clock = clock;
        Address = address;
        WriteKey = writeKey;
        AdminKey = adminKey;
        Writer = Client(writeKey);
        Admin = Client(adminKey);
    }

    public WebApplication App { get; }

    /// <summary>Every request this server answered, in a file kept under TestResults/requests.</summary>
    public RequestLog Requests { get; }

    public TestDatabase Db { get; }

    public FakeTimeProvider Clock { get; }

    public Uri Address { get; }

    public string WriteKey { get; }

    public string AdminKey { get; }

    /// <summary>Sends the write key the way Segment libraries do: HTTP basic, key as user name.</summary>
    public HttpClient Writer { get; }

    public HttpClient Admin { get; }

    /// <param name="store">Which store to run on.</param>
    /// <param name="configure">Replaces services after the defaults (e.g. a ValueOptions with a short schedule).</param>
    /// <param name="name">Names the request log file (TestResults/requests/NAME-pid-n.log).</param>
    public static async Task<ApiServer> StartAsync(StoreKind store = StoreKind.Sqlite, Action<IServiceCollection>? configure = null, string name = "api") =>
        await StartOnAsync(await TestStores.CreateAsync(store), ownsDb: true, configure, name);

    /// <summary>A server on a store the caller keeps (a restart test starts a second server on it); disposing the server leaves the store.</summary>
    public static Task<ApiServer> StartOnAsync(TestDatabase db, Action<IServiceCollection>? configure = null) => StartOnAsync(db, ownsDb: false, configure, "api");

    private static async Task<ApiServer> StartOnAsync(TestDatabase db, bool ownsDb, Action<IServiceCollection>? configure, string name)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        // Reports are computed when a test asks (tests that want start-up warming add ReportWarming(true)),
        // and a page waits for them: a test store's reports take milliseconds, but seconds on a loaded box,
        // and the "computing" detour is for big stores (ComputingPageTests turns it back on).
        var app = RapportApp.Build(db, clock, "http://127.0.0.1:0", s =>
        {
            s.AddSingleton(new Rapport.Dashboard.ReportWarming(false));
            s.AddSingleton(new Rapport.Dashboard.ReportWaiting(TimeSpan.FromMinutes(5)));
            configure?.Invoke(s);
        });
        var requests = new RequestLog(name);
        requests.Use(app);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var keys = new ApiKeys(db, clock);
        var (write, _) = await keys.CreateAsync(KeyKind.Write, "test");
        var (admin, _) = await keys.CreateAsync(KeyKind.Admin, "test");
        return new ApiServer(app, db, clock, address, write, admin, requests, ownsDb);
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Writer.Dispose();
        Admin.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Requests.Dispose();
        if (_ownsDb)
        {
            await Db.DisposeAsync();
        }
    }
}
