using System.CommandLine;
using Rapport.Core.Erasure;
using Rapport.Core.Preferences;
using Rapport.Hosting;
using Rapport.Http;

namespace Rapport.Cli;

/// <summary>`rapport erasure list` and `rapport erasure execute ID`: customers' erasure requests, carried out from the command line.</summary>
internal static class ErasureCommands
{
    public static Command Create()
    {
        var erasure = new Command("erasure", "Customers' requests to be forgotten (docs/erasure.md)");
        erasure.Subcommands.Add(List());
        erasure.Subcommands.Add(Execute());
        return erasure;
    }

    private static Command List()
    {
        var store = CliOptions.Store();
        var status = new Option<string?>("--status") { Description = "pending or completed (default: all)" };
        var command = new Command("list", "Erasure requests, oldest first: id, customer, status, requested, source") { store, status };
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(status);
            if (wanted is not null && !ErasureRequests.Statuses.Contains(wanted))
            {
                throw new UsageException($"--status '{wanted}' is not a status: use {string.Join(" or ", ErasureRequests.Statuses)}.");
            }

            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var output = parse.InvocationConfiguration.Output;
            foreach (var r in await services.GetRequiredService<ErasureRequests>().ListAsync(wanted, 0, 10_000, ct))
            {
                await output.WriteLineAsync($"{r.Id}\tcustomer {r.CustomerId}\t{r.Status}\t{r.RequestedAt:u}\t{r.Source}");
            }

            return 0;
        });
        return command;
    }

    private static Command Execute()
    {
        var store = CliOptions.Store();
        var id = new Argument<string>("ID") { Description = "The request's id from `rapport erasure list`" };
        var command = new Command("execute", "Carry out an erasure request: the customer's personal data is removed for good") { store, id };
        command.SetAction(async (parse, ct) =>
        {
            if (ErasureEndpoints.ParseId(parse.GetValue(id)!, out var requestId) is { } problem)
            {
                throw new UsageException(problem.Replace("GET /v1/erasure-requests?status=pending", "`rapport erasure list --status pending`", StringComparison.Ordinal));
            }

            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var result = await services.GetRequiredService<ErasureExecutor>().ExecuteAsync(requestId, "cli", ct)
                ?? throw new UsageException($"There is no erasure request {requestId}; see `rapport erasure list`.");
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(result.AlreadyDone
                ? $"Request {requestId} was already carried out {result.Request.CompletedAt:u}; nothing changed."
                : $"Request {requestId}: customer {result.Request.CustomerId} erased.");
            foreach (var (table, rows) in result.Rows)
            {
                await output.WriteLineAsync($"  {table}\t{rows}");
            }

            return 0;
        });
        return command;
    }
}
