using System.Text.Json.Nodes;
using Rapport.Core.Conversations;
using Rapport.Core.Staff;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Staff;

/// <summary>Disabling members, changing one's own password and the sign-in limit (migration 1680), both stores.</summary>
public sealed class StaffDisableAndThrottleTests
{
    [Theory, BothStores]
    public async Task DisabledMember_IsFlagged_KeepsTheirCustomers_CannotBeAssigned_AndComesBackWhenEnabled(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        var directory = new StaffDirectory(h.Writer, h.Db, h.Clock);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["email"] = "ada@example.com" }, user: "ada"));
        var ada = await h.OwnerAsync(Identifier.UserId, "ada");
        var grace = await accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        Assert.True(await directory.AssignAsync(ada, grace.Account.Id));

        Assert.True(await accounts.SetDisabledAsync(grace.Account.Id, true));

        var signedIn = await accounts.VerifyAsync("grace@shop.example", grace.Password);
        Assert.True(signedIn?.Disabled); // the right password, but the caller must refuse
        Assert.True((await accounts.GetAsync(grace.Account.Id))!.Disabled);
        var manager = await directory.ManagerOfAsync(ada);
        Assert.Equal(grace.Account.Id, manager?.Id); // the assignment stays, marked
        Assert.True(manager!.Disabled);
        var refused = await Assert.ThrowsAsync<ConversationException>(() => directory.AssignAsync(ada, grace.Account.Id));
        Assert.Contains("disabled", refused.Message, StringComparison.Ordinal);
        Assert.False(await accounts.SetDisabledAsync(999_999, true));

        Assert.True(await accounts.SetDisabledAsync(grace.Account.Id, false));
        Assert.False((await accounts.VerifyAsync("grace@shop.example", grace.Password))!.Disabled);
        Assert.False((await directory.ManagerOfAsync(ada))!.Disabled);
    }

    [Theory, BothStores]
    public async Task OwnPassword_NeedsTheCurrentOne_AndAtLeastTwelveCharacters_ThenReplacesIt(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var accounts = new StaffAccounts(h.Writer, h.Db);
        var grace = await accounts.AddAsync("Grace", "grace@shop.example", StaffRoles.Staff);
        var id = grace.Account.Id;

        Assert.Equal("Wrong password", (await Assert.ThrowsAsync<StaffException>(() => accounts.ChangeOwnPasswordAsync(id, "guess", "a long new password"))).Title);
        Assert.Equal("Password too short", (await Assert.ThrowsAsync<StaffException>(() => accounts.ChangeOwnPasswordAsync(id, grace.Password, "short"))).Title);
        Assert.Equal("Same password", (await Assert.ThrowsAsync<StaffException>(() => accounts.ChangeOwnPasswordAsync(id, grace.Password, grace.Password))).Title);
        Assert.NotNull(await accounts.VerifyAsync("grace@shop.example", grace.Password)); // nothing changed by the refusals

        var changed = await accounts.ChangeOwnPasswordAsync(id, grace.Password, "correct horse battery staple");

        Assert.NotEqual(grace.Account.Stamp, changed.Stamp); // sessions with the old stamp end
        Assert.Null(await accounts.VerifyAsync("grace@shop.example", grace.Password));
        Assert.Equal(id, (await accounts.VerifyAsync("grace@shop.example", "correct horse battery staple"))?.Id);
    }

    [Theory, BothStores]
    public async Task FiveFailures_LockTheAccountAtThatAddressForFifteenMinutes_FromTheFifthNewest_AndSuccessResetsIt(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var throttle = new SignInThrottle(h.Writer, h.Db, h.Clock);
        var grace = SignInLimit.Account("Grace@Shop.Example ");
        var office = SignInLimit.Address("10.0.0.1");
        var start = h.Clock.GetUtcNow();

        for (var i = 0; i < 4; i++)
        {
            await throttle.RecordFailureAsync(grace, office);
            h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Null(await throttle.LockedUntilAsync(grace, office)); // four: still allowed
        await throttle.RecordFailureAsync(grace, office);
        Assert.Equal(start + SignInLimit.Window, await throttle.LockedUntilAsync(grace, office));
        // Nobody else is locked by five guesses at Grace: not another account at that address,
        // and not Grace herself from elsewhere (else anyone could lock a colleague out).
        Assert.Null(await throttle.LockedUntilAsync(SignInLimit.Account("alan@shop.example"), office));
        Assert.Null(await throttle.LockedUntilAsync(grace, SignInLimit.Address("10.0.0.9")));

        h.Clock.Advance(start + SignInLimit.Window - h.Clock.GetUtcNow()); // the first failure ages out
        Assert.Null(await throttle.LockedUntilAsync(grace, office));

        await throttle.RecordFailureAsync(grace, office);
        Assert.NotNull(await throttle.LockedUntilAsync(grace, office));
        await throttle.ResetAsync(grace, office);
        Assert.Null(await throttle.LockedUntilAsync(grace, office));
    }

    [Theory, BothStores]
    public async Task GuessingAcrossAccountsLocksTheAddress_GuessingFromManyAddressesLocksTheAccount(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        var throttle = new SignInThrottle(h.Writer, h.Db, h.Clock);
        var office = SignInLimit.Address("10.0.0.1");
        var start = h.Clock.GetUtcNow();

        // One address trying many accounts, a few times each: the address locks at its own limit.
        for (var i = 0; i < SignInLimit.MaxFailuresPerAddress; i++)
        {
            Assert.Null(await throttle.LockedUntilAsync(SignInLimit.Account($"member{i % 7}@shop.example"), office));
            await throttle.RecordFailureAsync(SignInLimit.Account($"member{i % 7}@shop.example"), office);
        }

        Assert.Equal(start + SignInLimit.Window, await throttle.LockedUntilAsync(SignInLimit.Account("someone.new@shop.example"), office));
        Assert.Null(await throttle.LockedUntilAsync(SignInLimit.Account("someone.new@shop.example"), SignInLimit.Address("10.0.0.2")));

        // One account guessed at from many addresses, once each: the account locks at its own limit.
        var grace = SignInLimit.Account("grace@shop.example");
        for (var i = 0; i < SignInLimit.MaxFailuresPerAccount; i++)
        {
            Assert.Null(await throttle.LockedUntilAsync(grace, SignInLimit.Address($"192.0.2.{i}")));
            await throttle.RecordFailureAsync(grace, SignInLimit.Address($"192.0.2.{i}"));
        }

        Assert.Equal(start + SignInLimit.Window, await throttle.LockedUntilAsync(grace, SignInLimit.Address("198.51.100.7")));
        await throttle.ResetAsync(grace, SignInLimit.Address("198.51.100.7")); // a success clears the account's count
        Assert.Null(await throttle.LockedUntilAsync(grace, SignInLimit.Address("198.51.100.7")));
    }

    [Fact]
    public void SignInLimit_CountsOnlyTheWindow_InAnyOrder_AndLiftsWhenFewerThanFiveRemain()
    {
        var now = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
        DateTimeOffset Ago(int minutes) => now.AddMinutes(-minutes);

        Assert.Null(SignInLimit.LockedUntil([Ago(1), Ago(2), Ago(3), Ago(4), Ago(20)], now)); // one is too old
        Assert.Equal(Ago(5) + SignInLimit.Window, SignInLimit.LockedUntil([Ago(1), Ago(5), Ago(3), Ago(2), Ago(4)], now));
        // Six in the window: it lifts when two have aged out, i.e. at the second oldest + 15 min.
        Assert.Equal(Ago(9) + SignInLimit.Window, SignInLimit.LockedUntil([Ago(10), Ago(9), Ago(5), Ago(3), Ago(2), Ago(1)], now));
        Assert.Null(SignInLimit.LockedUntil([Ago(1), Ago(2), Ago(3), Ago(4), Ago(5)], now, max: 6)); // a wider scope's limit
        Assert.Equal("account:(admin)", SignInLimit.Account(" "));
        Assert.Equal("account:grace@shop.example", SignInLimit.Account(" Grace@Shop.Example"));
    }
}
