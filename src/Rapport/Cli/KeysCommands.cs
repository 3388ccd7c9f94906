using System.CommandLine;
using Rapport.Core.Keys;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>`rapport keys create|list|revoke`.</summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create, list and revoke API keys");
        keys.Subcommands.Add(CreateKey());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        return keys;
    }

    private static Command CreateKey()
    {
        var store = CliOptions.Store();
        var kind = new Option<string>("--kind") { Description = "write (events only) or admin (everything)", DefaultValueFactory = _ => "write" };
        var name = new Option<string>("--name") { Description = "What the key is for", DefaultValueFactory = _ => "default" };
        var command = new Command("create", "Create a key; it is shown once") { store, kind, name };
        command.SetAction(async (parse, ct) =>
        {
            var k = parse.GetValue(kind) switch
            {
                "write" => KeyKind.Write,
                "admin" => KeyKind.Admin,
                var other => throw new UsageException($"--kind '{other}' is not a key kind: use write or admin."),
            };
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            var (key, info) = await new ApiKeys(db, TimeProvider.System).CreateAsync(k, parse.GetValue(name)!, ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(key);
            await parse.InvocationConfiguration.Error.WriteLineAsync($"{info.Kind} key #{info.Id} '{info.Name}' created; store it now, it is not shown again.");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var store = CliOptions.Store();
        var command = new Command("list", "List keys (prefixes only)") { store };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            foreach (var k in await new ApiKeys(db, TimeProvider.System).ListAsync(ct))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"{k.Id}\t{k.Kind}\t{k.Prefix}…\t{k.Name}\t{k.CreatedAt:u}\t{(k.RevokedAt is { } r ? $"revoked {r:u}" : "active")}");
            }

            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var store = CliOptions.Store();
        var id = new Argument<long>("id") { Description = "The key's id from `rapport keys list`" };
        var command = new Command("revoke", "Revoke a key") { store, id };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            if (!await new ApiKeys(db, TimeProvider.System).RevokeAsync(parse.GetValue(id), ct))
            {
                throw new UsageException($"There is no active key {parse.GetValue(id)}; see `rapport keys list`.");
            }

            return 0;
        });
        return command;
    }
}
