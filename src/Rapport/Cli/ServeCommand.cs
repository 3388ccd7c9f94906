using System.CommandLine;
using Rapport.Core.Keys;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>`rapport serve`: the API on a configured store.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var store = CliOptions.Store();
        var urls = CliOptions.Urls("http://127.0.0.1:5080");
        var ack = new Option<string?>("--ingest-ack")
        {
            Description = "When collection calls are answered: 'projected' (default; after the events are on the profile) or 'committed' "
                + "(once they are durable in the intake; faster, profiles catch up behind). Also Rapport__Ingest__Acknowledge.",
        };
        ack.AcceptOnlyFromAmong("projected", "committed");
        var command = new Command("serve", "Serve the API on a configured store") { store, urls, ack };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            // The scheduled value recomputation and CLV refit log their progress; the framework's own chatter stays out.
            var app = RapportApp.Build(db, TimeProvider.System, parse.GetValue(urls)!, services => services.AddLogging(logging => logging
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddFilter("Microsoft", LogLevel.Warning)
                .AddFilter("System", LogLevel.Warning))
                .OverrideIngestAcknowledge(parse.GetValue(ack)));
            await app.StartAsync(ct);
            var keys = await app.Services.GetRequiredService<ApiKeys>().ListAsync(ct);
            await output.WriteLineAsync($"Rapport is serving {db.DisplayName} on {string.Join(", ", app.Urls)}");
            await output.WriteLineAsync($"  status page: {app.Urls.First()}/   OpenAPI: {app.Urls.First()}/openapi/v1.json");
            await DashboardCommands.PrintSignInAsync(app.Services, app.Urls.First(), output, "  ", ct);
            if (!keys.Any(k => k.Kind == KeyKind.Admin && k.RevokedAt is null))
            {
                await output.WriteLineAsync("  no admin key yet: create one with `rapport keys create --kind admin --name me`");
            }

            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
