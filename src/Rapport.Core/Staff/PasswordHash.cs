using System.Security.Cryptography;
using System.Text;

namespace Rapport.Core.Staff;

/// <summary>
/// Salted PBKDF2-SHA256 password hashes, stored as "pbkdf2-sha256-ITERATIONS:SALT:HASH", and the
/// generated passwords that are shown once. Used for the built-in admin and for staff members.
/// </summary>
public static class PasswordHash
{
    private const int Iterations = 100_000;

    /// <summary>A hash of a password nobody knows: verifying against it costs the same time as a real one, so an unknown email does not answer faster.</summary>
    private static readonly string Decoy = Create(Generate());

    public static string Create(string password) => Create(password, RandomNumberGenerator.GetBytes(16));

    public static string Create(string password, byte[] salt) =>
        $"pbkdf2-sha256-{Iterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(Derive(password, salt, Iterations, 32))}";

    public static bool Verify(string? password, string? stored)
    {
        if (string.IsNullOrEmpty(password))
        {
            return false;
        }

        var real = stored?.Split(':') is [_, _, _];
        var parts = (real ? stored! : Decoy).Split(':');
        if (!parts[0].StartsWith("pbkdf2-sha256-", StringComparison.Ordinal)
            || !int.TryParse(parts[0]["pbkdf2-sha256-".Length..], System.Globalization.CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[2]);
        var actual = Derive(password, Convert.FromBase64String(parts[1]), iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(expected, actual) && real;
    }

    /// <summary>
    /// A short fingerprint of a stored hash (its salt): a session remembers it, and a new password
    /// (new salt) ends the sessions signed in with the old one.
    /// </summary>
    public static string Stamp(string? stored) => stored?.Split(':') is [_, var salt, _] ? salt[..Math.Min(12, salt.Length)] : "";

    /// <summary>20 characters from an alphabet without look-alikes (about 100 bits).</summary>
    public static string Generate() =>
        string.Create(20, 0, (span, _) =>
        {
            const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });

    private static byte[] Derive(string password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);
}
