using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Cli;
using Rapport.Core.Events;
using Rapport.Core.Preferences;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Hosting;

namespace Rapport.Tests.Cli;

/// <summary>`rapport erasure list` and `rapport erasure execute` through the real command tree.</summary>
public sealed class ErasureCommandTests
{
    [Fact]
    public async Task ListThenExecute_ErasesTheCustomer_AndAgainChangesNothing()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        long request;
        await using (var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider())
        {
            var identify = new IncomingEvent("i1", "identify", null, Channels.Web, "ann", null, DateTimeOffset.UnixEpoch.AddYears(56),
                new JsonObject { ["email"] = "ann@example.com" }, new JsonObject { ["email"] = "ann@example.com" }, null);
            await services.GetRequiredService<IEventSink>().IngestAsync([identify]);
            await services.GetRequiredService<EventPipeline>().DisposeAsync();
            var ann = (await services.GetRequiredService<Rapport.Core.Customers.CustomerQueries>().LookupAsync("email", "ann@example.com"))!.Value;
            request = (await services.GetRequiredService<ErasureRequests>().RequestAsync(ann, "phone call", "phone"))!.Id;
        }

        var (exit, output, _) = await RunAsync("erasure", "list", "--store", db.Store, "--status", "pending");
        Assert.Equal(0, exit);
        Assert.StartsWith($"{request}\tcustomer ", output, StringComparison.Ordinal);
        Assert.Contains("phone call", output, StringComparison.Ordinal);

        (exit, output, _) = await RunAsync("erasure", "execute", request.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Contains("erased", output, StringComparison.Ordinal);
        Assert.Matches(@"identifiers\t2", output);

        await using (var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider())
        {
            Assert.Null(await services.GetRequiredService<Rapport.Core.Customers.CustomerQueries>().LookupAsync("email", "ann@example.com"));
        }

        (exit, output, _) = await RunAsync("erasure", "execute", request.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Contains("already carried out", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteBesideARunningServer_TheServerStopsLinkingTheErasedEmailWithinSeconds()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        await using var server = await Rapport.Tests.Http.ApiServer.StartOnAsync(db);
        async Task IdentifyAsync(string messageId) =>
            (await server.Writer.PostAsJsonAsync("/v1/identify", new { messageId, userId = "ann", traits = new { email = "ann@example.com" } })).EnsureSuccessStatusCode();
        async Task<long?> OwnerAsync()
        {
            using var reply = await server.Admin.GetAsync("/v1/customers/lookup?kind=email&value=ann@example.com");
            return reply.IsSuccessStatusCode ? (await reply.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>() : null;
        }

        await IdentifyAsync("i1");
        var ann = (await OwnerAsync())!.Value;
        var request = (await server.App.Services.GetRequiredService<ErasureRequests>().RequestAsync(ann, "phone call", "phone"))!.Id;

        // Another process (the CLI) erases her while the server runs and caches her identifiers.
        var (exit, _, _) = await RunAsync("erasure", "execute", request.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Null(await OwnerAsync());

        server.Clock.Advance(Rapport.Core.Identity.IdentityResolver.ErasureCheck);
        await IdentifyAsync("i2"); // she signs up again with the same email

        var again = await OwnerAsync();
        Assert.NotNull(again); // the email is owned again, by a new customer, not the erased one
        Assert.NotEqual(ann, again);
    }

    [Theory]
    [InlineData("seven", "not an erasure request id")]
    [InlineData("77", "no erasure request 77")]
    public async Task Execute_BadOrUnknownId_Exit2WithAMessage(string id, string says)
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        var (exit, _, error) = await RunAsync("erasure", "execute", id, "--store", db.Store);
        Assert.Equal(2, exit);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await RapportCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
