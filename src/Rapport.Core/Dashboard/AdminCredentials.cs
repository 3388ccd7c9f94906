using System.Security.Cryptography;
using System.Text;
using Dapper;
using Rapport.Core.Staff;
using Rapport.Core.Storage;

namespace Rapport.Core.Dashboard;

/// <summary>What <see cref="AdminCredentials.EnsureAsync"/> found: where the password comes from, and a new one to show once.</summary>
public sealed record AdminPasswordState(bool FromConfiguration, string? NewPassword);

/// <summary>
/// The one dashboard admin password. From configuration (Rapport__AdminPassword) when set;
/// otherwise created on first start, stored as a salted PBKDF2-SHA256 hash in
/// dashboard_settings, and shown to the operator once.
/// </summary>
public sealed class AdminCredentials(IDatabase database, TimeProvider clock, string? configuredPassword)
{
    public const string SettingName = "admin_password";
    public bool FromConfiguration => !string.IsNullOrEmpty(configuredPassword);

    /// <summary>Creates and stores a password when none is configured or stored; returns it so the caller can print it.</summary>
    public async Task<AdminPasswordState> EnsureAsync(CancellationToken ct = default)
    {
        if (FromConfiguration)
        {
            return new AdminPasswordState(true, null);
        }

        await using var c = await database.OpenAsync(ct);
        var password = NewPassword();
        var inserted = await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO dashboard_settings (name, value, updated_at) VALUES (@name, @value, @now) ON CONFLICT (name) DO NOTHING",
            new { name = SettingName, value = Hash(password, RandomNumberGenerator.GetBytes(16)), now = UnixTime.ToStorage(clock.GetUtcNow()) },
            cancellationToken: ct));
        return new AdminPasswordState(false, inserted == 1 ? password : null);
    }

    /// <summary>Replaces the stored password (the `rapport dashboard password` command); returns the new one.</summary>
    public async Task<string> ResetAsync(CancellationToken ct = default)
    {
        var password = NewPassword();
        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO dashboard_settings (name, value, updated_at) VALUES (@name, @value, @now)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """,
            new { name = SettingName, value = Hash(password, RandomNumberGenerator.GetBytes(16)), now = UnixTime.ToStorage(clock.GetUtcNow()) },
            cancellationToken: ct));
        return password;
    }

    public async Task<bool> VerifyAsync(string? password, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(password))
        {
            return false;
        }

        if (FromConfiguration)
        {
            return CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(configuredPassword!)));
        }

        await using var c = await database.OpenAsync(ct);
        var stored = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT value FROM dashboard_settings WHERE name = @name", new { name = SettingName }, cancellationToken: ct));
        return PasswordHash.Verify(password, stored);
    }

    /// <summary>Is there a password to sign in with at all (configured, or stored by a first start)?</summary>
    public async Task<bool> ExistsAsync(CancellationToken ct = default)
    {
        if (FromConfiguration)
        {
            return true;
        }

        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM dashboard_settings WHERE name = @name", new { name = SettingName }, cancellationToken: ct)) > 0;
    }

    private static string NewPassword() => PasswordHash.Generate();

    private static string Hash(string password, byte[] salt) => PasswordHash.Create(password, salt);
}
