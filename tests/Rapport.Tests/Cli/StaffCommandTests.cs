using Rapport.Cli;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;

namespace Rapport.Tests.Cli;

/// <summary>`rapport staff add|password|list` through the real command tree, on a real SQLite store.</summary>
public sealed class StaffCommandTests
{
    [Fact]
    public async Task Add_PrintsAPasswordThatSignsIn_PasswordReplacesIt_ListShowsTheMember()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);

        var (exit, output, error) = await RunAsync("staff", "add", "--name", "Grace Hopper", "--email", "grace@shop.example", "--role", "admin", "--store", db.Store);
        Assert.Equal(0, exit);
        var first = output.Trim();
        Assert.Equal(20, first.Length);
        Assert.Contains("shown once", error, StringComparison.Ordinal);
        using var writer = new StoreWriter(db, TimeProvider.System, []);
        var accounts = new StaffAccounts(writer, db);
        Assert.True((await accounts.VerifyAsync("grace@shop.example", first))?.IsAdmin);

        (exit, output, _) = await RunAsync("staff", "password", "grace@shop.example", "--store", db.Store);
        Assert.Equal(0, exit);
        var second = output.Trim();
        Assert.Null(await accounts.VerifyAsync("grace@shop.example", first));
        Assert.NotNull(await accounts.VerifyAsync("grace@shop.example", second));

        (exit, output, _) = await RunAsync("staff", "list", "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\tGrace Hopper\tgrace@shop\.example\tadmin\tpassword set", output);
        Assert.DoesNotContain(second, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disable_LocksTheMemberOut_Enable_LetsThemBackIn_ListShowsIt()
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        var (_, output, _) = await RunAsync("staff", "add", "--name", "Grace", "--email", "grace@shop.example", "--store", db.Store);
        var password = output.Trim();
        using var writer = new StoreWriter(db, TimeProvider.System, []);
        var accounts = new StaffAccounts(writer, db);

        var (exit, _, error) = await RunAsync("staff", "disable", "GRACE@shop.example", "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Contains("Grace (grace@shop.example) is disabled", error, StringComparison.Ordinal);
        Assert.True((await accounts.VerifyAsync("grace@shop.example", password))?.Disabled);
        (_, output, _) = await RunAsync("staff", "list", "--store", db.Store);
        Assert.Matches(@"	grace@shop\.example	staff	disabled", output);

        (exit, _, error) = await RunAsync("staff", "enable", "grace@shop.example", "--store", db.Store);
        Assert.Equal(0, exit);
        Assert.Contains("enabled again", error, StringComparison.Ordinal);
        Assert.False((await accounts.VerifyAsync("grace@shop.example", password))?.Disabled);
    }

    [Theory]
    [InlineData(new[] { "staff", "disable", "nobody@shop.example" }, "There is no staff member 'nobody@shop.example'")]
    [InlineData(new[] { "staff", "enable", "42" }, "There is no staff member '42'")]
    [InlineData(new[] { "staff", "add", "--name", "X", "--email", "not-an-email" }, "signs in with their email")]
    [InlineData(new[] { "staff", "add", "--name", "X", "--email", "x@shop.example", "--role", "owner" }, "use admin")]
    [InlineData(new[] { "staff", "password", "nobody@shop.example" }, "There is no staff member 'nobody@shop.example'")]
    public async Task BadInput_Exit2WithAMessage(string[] args, string says)
    {
        await using var db = await TestStores.CreateAsync(StoreKind.Sqlite);
        var (exit, _, error) = await RunAsync([.. args, "--store", db.Store]);
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
