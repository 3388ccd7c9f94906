using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Keys;

/// <summary>Write keys may only send events; admin keys may do everything.</summary>
public enum KeyKind
{
    Write,
    Admin,
}

public sealed record ApiKeyInfo(long Id, KeyKind Kind, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// API keys, stored as SHA-256 hashes (keys are 192 random bits, so a fast hash is safe and a
/// per-request check costs a dictionary lookup after the first hit). The plain key is shown once.
/// </summary>
public sealed class ApiKeys(IDatabase database, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, (KeyKind Kind, long CheckedAt)> _cache = new();

    public async Task<(string Key, ApiKeyInfo Info)> CreateAsync(KeyKind kind, string name, CancellationToken ct = default)
    {
        var prefix = kind == KeyKind.Admin ? "rk_admin_" : "rk_write_";
        var key = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(ct);
        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO api_keys (kind, name, prefix, hash, created_at) VALUES (@kind, @name, @prefix, @hash, @at) RETURNING id",
            new { kind = kind.ToString().ToLowerInvariant(), name, prefix = key[..13], hash = Hash(key), at = UnixTime.ToStorage(now) });
        return (key, new ApiKeyInfo(id, kind, name, key[..13], now, null));
    }

    /// <summary>
    /// The kind of a valid, unrevoked key; null otherwise. Revocations apply within a minute.
    /// A key checked in the last minute is answered from memory without hashing or awaiting:
    /// every API request asks (keyed by the key itself, which the request carries anyway).
    /// </summary>
    public ValueTask<KeyKind?> VerifyAsync(string key, CancellationToken ct = default)
    {
        var now = UnixTime.ToStorage(clock.GetUtcNow());
        return _cache.TryGetValue(key, out var hit) && now - hit.CheckedAt < 60_000
            ? ValueTask.FromResult<KeyKind?>(hit.Kind)
            : new ValueTask<KeyKind?>(LookUpAsync(key, now, ct));
    }

    private async Task<KeyKind?> LookUpAsync(string key, long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var kind = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT kind FROM api_keys WHERE hash = @hash AND revoked_at IS NULL", new { hash = Hash(key) });
        if (kind is null)
        {
            _cache.TryRemove(key, out _);
            return null;
        }

        var parsed = kind == "admin" ? KeyKind.Admin : KeyKind.Write;
        _cache[key] = (parsed, now);
        return parsed;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<(long Id, string Kind, string Name, string Prefix, long CreatedAt, long? RevokedAt)>(
            "SELECT id, kind, name, prefix, created_at, revoked_at FROM api_keys ORDER BY id");
        return rows.Select(r => new ApiKeyInfo(
            r.Id, r.Kind == "admin" ? KeyKind.Admin : KeyKind.Write, r.Name, r.Prefix,
            UnixTime.FromStorage(r.CreatedAt), UnixTime.FromStorage(r.RevokedAt))).ToList();
    }

    public async Task<bool> RevokeAsync(long id, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        _cache.Clear();
        return await connection.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = UnixTime.ToStorage(clock.GetUtcNow()) }) == 1;
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
