using System.CommandLine;
using System.Globalization;
using Rapport.Core.Loyalty;
using Rapport.Hosting;

namespace Rapport.Cli;

/// <summary>`rapport loyalty expire`: the nightly loyalty job, run once on a store.</summary>
internal static class LoyaltyCommands
{
    public static Command Create()
    {
        var loyalty = new Command("loyalty", "Loyalty points, tiers and rewards");
        var store = CliOptions.Store();
        var expire = new Command("expire", "Expire every points lot past its date (set-based) and re-evaluate tiers, as the server does nightly") { store };
        expire.SetAction(async (parse, ct) =>
        {
            await using var db = await StoreFactory.OpenMigratedAsync(parse.GetValue(store), ct);
            await using var services = new ServiceCollection().AddRapport(db, TimeProvider.System).BuildServiceProvider();
            var s = await services.GetRequiredService<LoyaltyExpiry>().RunAsync(ct);
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.LotsExpired:N0} lots expired ({s.PointsExpired:N0} points) in {s.ExpirySeconds:0.00} s; {s.TiersChanged:N0} of {s.TiersEvaluated:N0} tiers changed in {s.TierSeconds:0.00} s"));
            return 0;
        });
        loyalty.Subcommands.Add(expire);
        return loyalty;
    }
}
