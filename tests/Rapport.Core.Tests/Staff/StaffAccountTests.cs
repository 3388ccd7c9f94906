using Dapper;
using Rapport.Core.Conversations;
using Rapport.Core.Dashboard;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;

namespace Rapport.Core.Tests.Staff;

/// <summary>Staff sign-in credentials and roles on the real stores (migration 1500), both stores.</summary>
public sealed class StaffAccountTests
{
    [Theory, BothStores]
    public async Task AddedMember_SignsInWithEmailAndTheShownPassword_StoredOnlyAsASaltedHash(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);

        var added = await accounts.AddAsync("  Grace Hopper ", "Grace@Shop.Example", StaffRoles.Staff);

        Assert.Equal("Grace Hopper", added.Account.Name);
        Assert.Equal("grace@shop.example", added.Account.Email);
        Assert.Equal(StaffRoles.Staff, added.Account.Role);
        Assert.True(added.Account.HasPassword);
        Assert.Equal(20, added.Password.Length);
        var signedIn = await accounts.VerifyAsync(" GRACE@shop.example", added.Password);
        Assert.Equal(added.Account.Id, signedIn?.Id);
        Assert.False(signedIn!.IsAdmin);

        await using var c = await h.Db.OpenAsync();
        var stored = await c.ExecuteScalarAsync<string>("SELECT password_hash FROM staff WHERE id = @id", new { id = added.Account.Id });
        Assert.StartsWith("pbkdf2-sha256-100000:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(added.Password, stored!, StringComparison.Ordinal);
        // The same member is the inbox's staff member and can be an account manager.
        Assert.Equal("Grace Hopper", (await new StaffDirectory(h.Writer, h.Db, h.Clock).GetAsync(added.Account.Id))?.Name);
    }

    [Theory, BothStores]
    public async Task WrongPassword_UnknownEmail_OrAMemberWithoutPassword_DoNotSignIn(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        var grace = await accounts.AddAsync("Grace", "grace@shop.example", null);
        // Added through the inbox's older path: a name and email, no password yet.
        await new StaffDirectory(h.Writer, h.Db, h.Clock).AddAsync("Alan", "alan@shop.example");

        Assert.Null(await accounts.VerifyAsync("grace@shop.example", grace.Password + "x"));
        Assert.Null(await accounts.VerifyAsync("grace@shop.example", ""));
        Assert.Null(await accounts.VerifyAsync("nobody@shop.example", grace.Password));
        Assert.Null(await accounts.VerifyAsync(null, grace.Password));
        Assert.Null(await accounts.VerifyAsync("alan@shop.example", ""));
        Assert.Null(await accounts.VerifyAsync("alan@shop.example", "anything"));
        var alan = Assert.Single(await accounts.ListAsync(), m => m.Name == "Alan");
        Assert.False(alan.HasPassword);
        Assert.Equal(StaffRoles.Staff, alan.Role); // the column's default for rows from before sign-in existed
    }

    [Theory, BothStores]
    public async Task NewPassword_ReplacesTheOld_AndChangesTheSessionStamp(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        var grace = await accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);

        var renewed = await accounts.NewPasswordAsync(grace.Account.Id);

        Assert.NotNull(renewed);
        Assert.NotEqual(grace.Password, renewed);
        Assert.Null(await accounts.VerifyAsync("grace@shop.example", grace.Password));
        var now = await accounts.VerifyAsync("grace@shop.example", renewed);
        Assert.NotNull(now);
        Assert.NotEqual(grace.Account.Stamp, now.Stamp); // sessions carrying the old stamp end
        Assert.Null(await accounts.NewPasswordAsync(999_999));
    }

    [Theory, BothStores]
    public async Task Roles_AreAdminOrStaff_AndCanChange(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        var ada = await accounts.AddAsync("Ada", "ada@shop.example", StaffRoles.Admin);
        Assert.True(ada.Account.IsAdmin);

        Assert.True(await accounts.SetRoleAsync(ada.Account.Id, StaffRoles.Staff));
        Assert.False((await accounts.GetAsync(ada.Account.Id))!.IsAdmin);
        Assert.False(await accounts.SetRoleAsync(999_999, StaffRoles.Admin));
        var bad = await Assert.ThrowsAsync<StaffException>(() => accounts.SetRoleAsync(ada.Account.Id, "owner"));
        Assert.Contains("admin", bad.Message, StringComparison.Ordinal);
        Assert.Contains("staff", bad.Message, StringComparison.Ordinal);
    }

    [Theory, BothStores]
    public async Task BadInput_SaysHowToFixIt_AndStoresNothing(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        await accounts.AddAsync("Grace", "grace@shop.example", null);

        Assert.Equal("Bad name", (await Assert.ThrowsAsync<StaffException>(() => accounts.AddAsync(" ", "x@shop.example", null))).Title);
        Assert.Equal("Bad email", (await Assert.ThrowsAsync<StaffException>(() => accounts.AddAsync("X", "not an email", null))).Title);
        Assert.Equal("Bad email", (await Assert.ThrowsAsync<StaffException>(() => accounts.AddAsync("X", null, null))).Title);
        Assert.Equal("Bad role", (await Assert.ThrowsAsync<StaffException>(() => accounts.AddAsync("X", "x@shop.example", "root"))).Title);
        Assert.Equal("Email taken", (await Assert.ThrowsAsync<StaffException>(() => accounts.AddAsync("G2", "GRACE@shop.example", null))).Title);
        Assert.Single(await accounts.ListAsync());
    }

    [Theory, BothStores]
    public async Task TheBuiltInAdminPassword_StillWorks_WithTheSharedHashing(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var admin = new AdminCredentials(h.Db, h.Clock, null);

        var created = (await admin.EnsureAsync()).NewPassword;

        Assert.NotNull(created);
        Assert.True(await admin.VerifyAsync(created));
        Assert.False(await admin.VerifyAsync(created + "x"));
        var reset = await admin.ResetAsync();
        Assert.False(await admin.VerifyAsync(created));
        Assert.True(await admin.VerifyAsync(reset));
    }
}
