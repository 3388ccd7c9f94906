using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Staff;

/// <summary>
/// The sign-in limits as a pure rule, per scope: at most <see cref="MaxFailures"/> failed sign-ins
/// within <see cref="Window"/> for one account from one address; <see cref="MaxFailuresPerAddress"/>
/// from one address whatever the account (guessing across accounts); <see cref="MaxFailuresPerAccount"/>
/// for one account whatever the address (distributed guessing). Why three: a lock on the account
/// alone at 5 would let anyone lock a colleague (or the admin) out from anywhere with five wrong
/// guesses; the pair stops guessing from one place at once, and the wider scopes only lock at
/// counts a typing member does not reach. Locked scopes are not checked at all, so a locked
/// scope's failures do not pile up and the lock ends at a time we can tell the user.
/// </summary>
public static class SignInLimit
{
    public const int MaxFailures = 5;

    public const int MaxFailuresPerAddress = 20;

    public const int MaxFailuresPerAccount = 50;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>When the scope may try again, or null when it may now. <paramref name="failures"/>: any order.</summary>
    public static DateTimeOffset? LockedUntil(IEnumerable<DateTimeOffset> failures, DateTimeOffset now, int max = MaxFailures)
    {
        var recent = failures.Where(f => f > now - Window && f <= now).Order().ToList();
        // Sliding window: the lock lifts when enough of the oldest failures have aged out that
        // fewer than max remain, i.e. when the (n - max + 1)-th newest one leaves it.
        return recent.Count < max ? null : recent[recent.Count - max] + Window;
    }

    public static string Account(string? email) => "account:" + (string.IsNullOrWhiteSpace(email) ? "(admin)" : email.Trim().ToLowerInvariant());

    public static string Address(string? ip) => "ip:" + (ip ?? "unknown");

    /// <summary>The scope of one account at one address.</summary>
    public static string Pair(string accountScope, string addressScope) => accountScope + "|" + addressScope;

    /// <summary>The three scopes of a sign-in and each one's limit.</summary>
    public static (string Scope, int Max)[] Scopes(string accountScope, string addressScope) =>
        [(Pair(accountScope, addressScope), MaxFailures), (addressScope, MaxFailuresPerAddress), (accountScope, MaxFailuresPerAccount)];
}

/// <summary>
/// Remembers failed sign-ins per account at an address, per address and per account (table
/// sign_in_failures, one row per scope and failure) and answers whether one is locked. In the
/// store, not in memory: a restart does not reset the count.
/// </summary>
public sealed class SignInThrottle(StoreWriter writer, IDatabase database, TimeProvider clock)
{
    /// <summary>When the latest-ending locked scope may try again, or null when every scope may now.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string accountScope, string addressScope, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var scopes = SignInLimit.Scopes(accountScope, addressScope);
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Scope, long FailedAt)>(new CommandDefinition(
            "SELECT scope, failed_at FROM sign_in_failures WHERE scope IN (@pair, @addressScope, @accountScope) AND failed_at > @since",
            new { pair = scopes[0].Scope, addressScope, accountScope, since = UnixTime.ToStorage(now - SignInLimit.Window) }, cancellationToken: ct))).ToList();
        DateTimeOffset? until = null;
        foreach (var (scope, max) in scopes)
        {
            var locked = SignInLimit.LockedUntil(rows.Where(r => r.Scope == scope).Select(r => UnixTime.FromStorage(r.FailedAt)), now, max);
            if (locked is { } l && (until is null || l > until))
            {
                until = l;
            }
        }

        return until;
    }

    /// <summary>Counts a failure against the three scopes and forgets their failures older than the window.</summary>
    public Task RecordFailureAsync(string accountScope, string addressScope, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var now = UnixTime.ToStorage(clock.GetUtcNow());
            var since = UnixTime.ToStorage(clock.GetUtcNow() - SignInLimit.Window);
            var pair = SignInLimit.Pair(accountScope, addressScope);
            await unit.Connection.ExecuteAsync(
                "DELETE FROM sign_in_failures WHERE scope IN (@pair, @addressScope, @accountScope) AND failed_at <= @since",
                new { pair, addressScope, accountScope, since }, unit.Transaction);
            await unit.Connection.ExecuteAsync(
                "INSERT INTO sign_in_failures (scope, failed_at) VALUES (@pair, @now), (@addressScope, @now), (@accountScope, @now)",
                new { pair, addressScope, accountScope, now }, unit.Transaction);
            return 0;
        }, ct);

    /// <summary>
    /// A successful sign-in clears the account's failures and those of the account at this address
    /// (the address keeps its count: one member's success does not unlock guessing at others).
    /// </summary>
    public Task ResetAsync(string accountScope, string addressScope, CancellationToken ct = default) =>
        writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "DELETE FROM sign_in_failures WHERE scope IN (@accountScope, @pair)",
            new { accountScope, pair = SignInLimit.Pair(accountScope, addressScope) }, unit.Transaction), ct);
}
