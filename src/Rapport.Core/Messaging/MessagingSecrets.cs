using System.Security.Cryptography;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Messaging;

/// <summary>
/// The key that signs message links: configured (Rapport__Messaging__SigningKey) or created
/// once and kept in the store, so every node and every restart signs alike.
/// </summary>
public sealed class MessagingSecrets(IDatabase database, MessagingOptions options)
{
    private byte[]? _key;

    /// <summary>The key; <see cref="LoadAsync"/> must have run (the composer and the link endpoints do).</summary>
    public byte[] SigningKey => _key ?? throw new InvalidOperationException("Call MessagingSecrets.LoadAsync first.");

    public async Task LoadAsync(CancellationToken ct = default)
    {
        if (_key is not null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            _key = System.Text.Encoding.UTF8.GetBytes(options.SigningKey);
            return;
        }

        await using var c = await database.OpenAsync(ct);
        await c.ExecuteAsync(
            "INSERT INTO messaging_secrets (name, value) VALUES ('link-signing', @value) ON CONFLICT (name) DO NOTHING",
            new { value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        _key = Convert.FromBase64String((await c.ExecuteScalarAsync<string>("SELECT value FROM messaging_secrets WHERE name = 'link-signing'"))!);
    }
}
