using System.CommandLine;
using System.Globalization;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>`rapport staff add|password|list|disable|enable`: dashboard sign-ins for staff members (docs/staff.md).</summary>
internal static class StaffCommands
{
    public static Command Create()
    {
        var staff = new Command("staff", "Staff members who sign in to the dashboard with their email and a password");
        staff.Subcommands.Add(Add());
        staff.Subcommands.Add(Password());
        staff.Subcommands.Add(List());
        staff.Subcommands.Add(Disable(true));
        staff.Subcommands.Add(Disable(false));
        return staff;
    }

    private static Command Add()
    {
        var store = CliOptions.Store();
        var name = new Option<string>("--name") { Description = "Their name, as customers and colleagues see it", Required = true };
        var email = new Option<string>("--email") { Description = "The email they sign in with", Required = true };
        var role = new Option<string>("--role") { Description = "staff (inbox, customers, segments) or admin (also staff, keys, erasure)", DefaultValueFactory = _ => StaffRoles.Staff };
        var command = new Command("add", "Add a staff member and print their password (shown once)") { store, name, email, role };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            using var writer = new StoreWriter(db, TimeProvider.System, []);
            var added = await Run(() => new StaffAccounts(writer, db).AddAsync(parse.GetValue(name), parse.GetValue(email), parse.GetValue(role), ct));
            await parse.InvocationConfiguration.Output.WriteLineAsync(added.Password);
            await parse.InvocationConfiguration.Error.WriteLineAsync(
                $"Staff member {added.Account.Id} ({added.Account.Email}, {added.Account.Role}) added; the line above is their password, shown once.");
            return 0;
        });
        return command;
    }

    private static Command Password()
    {
        var store = CliOptions.Store();
        var who = new Argument<string>("EMAIL-OR-ID") { Description = "The member's email or id (`rapport staff list`)" };
        var command = new Command("password", "Make a new password for a staff member (shown once; their open sessions end)") { store, who };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            using var writer = new StoreWriter(db, TimeProvider.System, []);
            var accounts = new StaffAccounts(writer, db);
            var member = await FindAsync(accounts, parse.GetValue(who)!, ct);

            var password = await Run(async () => (await accounts.NewPasswordAsync(member.Id, ct))!);
            await parse.InvocationConfiguration.Output.WriteLineAsync(password);
            await parse.InvocationConfiguration.Error.WriteLineAsync($"New password for {member.Name} ({member.Email}), shown once; sessions signed in with the old one have ended.");
            return 0;
        });
        return command;
    }

    private static Command Disable(bool disable)
    {
        var store = CliOptions.Store();
        var who = new Argument<string>("EMAIL-OR-ID") { Description = "The member's email or id (`rapport staff list`)" };
        var command = new Command(disable ? "disable" : "enable", disable
            ? "Disable a staff member: they cannot sign in, their sessions end at their next page, chats are no longer routed to them"
            : "Enable a disabled staff member again (their password is unchanged)") { store, who };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            using var writer = new StoreWriter(db, TimeProvider.System, []);
            var accounts = new StaffAccounts(writer, db);
            var member = await FindAsync(accounts, parse.GetValue(who)!, ct);
            await accounts.SetDisabledAsync(member.Id, disable, ct);
            await parse.InvocationConfiguration.Error.WriteLineAsync(disable
                ? $"{member.Name} ({member.Email ?? "no email"}) is disabled; a running server ends their open pages at their next request and refuses their chat answers."
                : $"{member.Name} ({member.Email ?? "no email"}) is enabled again.");
            return 0;
        });
        return command;
    }

    private static async Task<StaffAccount> FindAsync(StaffAccounts accounts, string key, CancellationToken ct) =>
        (long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? await accounts.GetAsync(id, ct) : await accounts.FindAsync(key, ct))
        ?? throw new UsageException($"There is no staff member '{key}'; `rapport staff list` shows them, `rapport staff add` adds one.");

    private static Command List()
    {
        var store = CliOptions.Store();
        var command = new Command("list", "Staff members: id, name, email, role, whether they can sign in") { store };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            using var writer = new StoreWriter(db, TimeProvider.System, []);
            foreach (var m in await new StaffAccounts(writer, db).ListAsync(ct))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"{m.Id}\t{m.Name}\t{m.Email ?? "-"}\t{m.Role}\t{(m.Disabled ? "disabled" : m.HasPassword ? "password set" : "no password")}");
            }

            return 0;
        });
        return command;
    }

    private static async Task<T> Run<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (StaffException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
