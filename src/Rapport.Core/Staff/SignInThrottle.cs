using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Staff;

/// <summary>
/// The sign-in limit as a pure rule: at most <see cref="MaxFailures"/> failed sign-ins within
/// <see cref="Window"/> per scope (an account, an address). Locked scopes are not checked at all,
/// so a locked account's failures do not pile up and the lock ends at a time we can tell the user.
/// </summary>
public static class SignInLimit
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>When the scope may try again, or null when it may now. <paramref name="failures"/>: any order.</summary>
    public static DateTimeOffset? LockedUntil(IEnumerable<DateTimeOffset> failures, DateTimeOffset now)
    {
        var recent = failures.Where(f => f > now - Window && f <= now).Order().ToList();
        // Sliding window: the lock lifts when enough of the oldest failures have aged out that
        // fewer than MaxFailures remain, i.e. when the (n - Max + 1)-th newest one leaves it.
        return recent.Count < MaxFailures ? null : recent[recent.Count - MaxFailures] + Window;
    }

    public static string Account(string? email) => "account:" + (string.IsNullOrWhiteSpace(email) ? "(admin)" : email.Trim().ToLowerInvariant());

    public static string Address(string? ip) => "ip:" + (ip ?? "unknown");
}

/// <summary>
/// Remembers failed sign-ins per account and per address (table sign_in_failures) and answers
/// whether one is locked. In the store, not in memory: a restart does not reset the count.
/// </summary>
public sealed class SignInThrottle(StoreWriter writer, IDatabase database, TimeProvider clock)
{
    /// <summary>When the later of the two scopes may try again, or null when both may now.</summary>
    public async Task<DateTimeOffset?> LockedUntilAsync(string accountScope, string addressScope, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await database.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Scope, long FailedAt)>(new CommandDefinition(
            "SELECT scope, failed_at FROM sign_in_failures WHERE scope IN (@accountScope, @addressScope) AND failed_at > @since",
            new { accountScope, addressScope, since = UnixTime.ToStorage(now - SignInLimit.Window) }, cancellationToken: ct))).ToList();
        DateTimeOffset? until = null;
        foreach (var scope in new[] { accountScope, addressScope })
        {
            var locked = SignInLimit.LockedUntil(rows.Where(r => r.Scope == scope).Select(r => UnixTime.FromStorage(r.FailedAt)), now);
            if (locked is { } l && (until is null || l > until))
            {
                until = l;
            }
        }

        return until;
    }

    /// <summary>Counts a failure against both scopes and forgets their failures older than the window.</summary>
    public Task RecordFailureAsync(string accountScope, string addressScope, CancellationToken ct = default) =>
        writer.WriteAsync(async unit =>
        {
            var now = UnixTime.ToStorage(clock.GetUtcNow());
            var since = UnixTime.ToStorage(clock.GetUtcNow() - SignInLimit.Window);
            await unit.Connection.ExecuteAsync(
                "DELETE FROM sign_in_failures WHERE scope IN (@accountScope, @addressScope) AND failed_at <= @since",
                new { accountScope, addressScope, since }, unit.Transaction);
            await unit.Connection.ExecuteAsync(
                "INSERT INTO sign_in_failures (scope, failed_at) VALUES (@accountScope, @now), (@addressScope, @now)",
                new { accountScope, addressScope, now }, unit.Transaction);
            return 0;
        }, ct);

    /// <summary>A successful sign-in clears the account's failures (the address keeps its count: one member's success does not unlock guessing at others).</summary>
    public Task ResetAsync(string accountScope, CancellationToken ct = default) =>
        writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "DELETE FROM sign_in_failures WHERE scope = @accountScope", new { accountScope }, unit.Transaction), ct);
}
