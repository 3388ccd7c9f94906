using System.CommandLine;
using Rapport.Core.Dashboard;
using Rapport.Dashboard;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>`rapport dashboard password`, and how serve and demo tell the operator to sign in.</summary>
internal static class DashboardCommands
{
    public static Command Create()
    {
        var dashboard = new Command("dashboard", "The web dashboard's admin sign-in");
        var store = CliOptions.Store();
        var password = new Command("password", "Make a new admin password for the dashboard (shown once; Rapport__AdminPassword overrides it)") { store };
        password.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            var created = await new AdminCredentials(db, TimeProvider.System, null).ResetAsync(ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(created);
            await parse.InvocationConfiguration.Error.WriteLineAsync("New dashboard admin password; store it now, it is not shown again. Sessions already signed in stay signed in until they expire.");
            return 0;
        });
        dashboard.Subcommands.Add(password);
        return dashboard;
    }

    /// <summary>Makes sure there is an admin password (creating one on first start) and prints where and how to sign in.</summary>
    public static async Task PrintSignInAsync(IServiceProvider services, string baseUrl, TextWriter output, string indent, CancellationToken ct)
    {
        var state = await services.GetRequiredService<AdminCredentials>().EnsureAsync(ct);
        await output.WriteLineAsync($"{indent}Dashboard:    {baseUrl}{DashboardServices.Root}");
        if (state.FromConfiguration)
        {
            await output.WriteLineAsync(indent + "Sign in with: the password in Rapport__AdminPassword");
        }
        else if (state.NewPassword is { } created)
        {
            await output.WriteLineAsync($"{indent}Sign in with: {created}   (admin password, created now and shown once; `rapport dashboard password` makes a new one)");
        }
        else
        {
            await output.WriteLineAsync(indent + "Sign in with: the admin password printed when this store was first served (`rapport dashboard password` makes a new one)");
        }
    }
}
