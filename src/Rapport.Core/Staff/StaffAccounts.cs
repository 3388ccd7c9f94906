using System.Net.Mail;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Staff;

/// <summary>The two roles: admins manage staff, keys and erasure; staff work the inbox, customers and segments.</summary>
public static class StaffRoles
{
    public const string Admin = "admin";
    public const string Staff = "staff";

    public static readonly IReadOnlyList<string> All = [Admin, Staff];

    public static bool IsKnown(string? role) => role is Admin or Staff;
}

/// <summary>
/// A staff member as sign-in sees them. <see cref="Stamp"/> changes with every new password; a
/// <see cref="Disabled"/> member keeps their history but cannot sign in.
/// </summary>
public sealed record StaffAccount(long Id, string Name, string? Email, string Role, bool HasPassword, string Stamp, DateTimeOffset CreatedAt, bool Disabled = false)
{
    public bool IsAdmin => Role == StaffRoles.Admin;
}

/// <summary>A staff member just created, with the generated password to show once.</summary>
public sealed record NewStaffAccount(StaffAccount Account, string Password);

/// <summary>Bad input for staff accounts: a title and a message saying how to fix it.</summary>
public sealed class StaffException(string title, string message) : Exception(message)
{
    public string Title { get; } = title;
}

/// <summary>
/// Staff members who sign in to the dashboard with their email and a password. Passwords are
/// generated (never chosen: nothing to reuse from elsewhere, nothing weak), shown once and stored
/// as salted PBKDF2-SHA256 like the built-in admin's. The members are the same rows as the
/// inbox's staff and account managers (<see cref="Conversations.StaffDirectory"/>).
/// </summary>
public sealed class StaffAccounts(StoreWriter writer, IDatabase database)
{
    private const string Columns =
        "id AS Id, name AS Name, email AS Email, role AS Role, password_hash AS PasswordHash, created_at AS CreatedAt, disabled_at AS DisabledAt";

    /// <summary>The shortest password a member may choose for themselves (generated ones are 20).</summary>
    public const int MinOwnPasswordLength = 12;

    public async Task<NewStaffAccount> AddAsync(string? name, string? email, string? role, CancellationToken ct = default)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            throw new StaffException("Bad name", "A staff member needs a name of 1 to 200 characters, e.g. Grace Hopper.");
        }

        var mail = CheckEmail(email);
        role = CheckRole(role ?? StaffRoles.Staff);
        var password = PasswordHash.Generate();
        try
        {
            var id = await writer.WriteAsync(unit => unit.Connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO staff (name, email, created_at, role, password_hash, password_set_at)
                VALUES (@name, @mail, @now, @role, @hash, @now) RETURNING id
                """,
                new { name, mail, now = unit.Now, role, hash = PasswordHash.Create(password) }, unit.Transaction), ct);
            return new((await GetAsync(id, ct))!, password);
        }
        catch (Exception e) when (database.Dialect.IsUniqueViolation(e))
        {
            throw new StaffException("Email taken", $"A staff member with the email {mail} exists already; give them a new password instead.");
        }
    }

    /// <summary>Makes and stores a new password (shown once); sessions signed in with the old one end. Null: no such member.</summary>
    public async Task<string?> NewPasswordAsync(long id, CancellationToken ct = default)
    {
        if (await GetAsync(id, ct) is not { } member)
        {
            return null;
        }

        if (member.Email is null)
        {
            throw new StaffException("No email", $"{member.Name} has no email address to sign in with; add them again with one.");
        }

        var password = PasswordHash.Generate();
        await writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "UPDATE staff SET password_hash = @hash, password_set_at = @now WHERE id = @id",
            new { id, hash = PasswordHash.Create(password), now = unit.Now }, unit.Transaction), ct);
        return password;
    }

    /// <summary>Changes a member's role; false when there is no such member.</summary>
    public async Task<bool> SetRoleAsync(long id, string? role, CancellationToken ct = default)
    {
        role = CheckRole(role);
        return await writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "UPDATE staff SET role = @role WHERE id = @id", new { id, role }, unit.Transaction), ct) == 1;
    }

    /// <summary>
    /// Disables (true) or enables (false) a member; false when there is no such member. A disabled
    /// member cannot sign in, their open sessions end at their next request and chats are no
    /// longer routed to them; their messages and assignments stay.
    /// </summary>
    public async Task<bool> SetDisabledAsync(long id, bool disabled, CancellationToken ct = default) =>
        await writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            // Disabling twice keeps the first time: it is when they lost access.
            disabled
                ? "UPDATE staff SET disabled_at = COALESCE(disabled_at, @now) WHERE id = @id"
                : "UPDATE staff SET disabled_at = NULL WHERE id = @id",
            new { id, now = unit.Now }, unit.Transaction), ct) == 1;

    /// <summary>
    /// A member changes their own password: the current one is required (a left-open session is
    /// not enough). Returns the account with its new stamp (their other sessions end).
    /// </summary>
    public async Task<StaffAccount> ChangeOwnPasswordAsync(long id, string? current, string? next, CancellationToken ct = default)
    {
        var member = await GetAsync(id, ct) ?? throw new StaffException("Unknown member", $"There is no staff member {id}.");
        if (!PasswordHash.Verify(current, await HashOfAsync(id, ct)))
        {
            throw new StaffException("Wrong password", "Your current password is not right. Type the one you signed in with; an admin can make you a new one if you forgot it.");
        }

        if (next is null || next.Length < MinOwnPasswordLength || next.Length > 200)
        {
            throw new StaffException("Password too short", $"Choose a new password of {MinOwnPasswordLength} to 200 characters; a few unrelated words make a good one.");
        }

        if (next == current)
        {
            throw new StaffException("Same password", "The new password is the one you have now; choose a different one.");
        }

        await writer.WriteAsync(unit => unit.Connection.ExecuteAsync(
            "UPDATE staff SET password_hash = @hash, password_set_at = @now WHERE id = @id",
            new { id, hash = PasswordHash.Create(next), now = unit.Now }, unit.Transaction), ct);
        return (await GetAsync(member.Id, ct))!;
    }

    /// <summary>
    /// The member with this email and password, or null (same answer, same time, for an unknown
    /// email and a wrong password). A disabled member with the right password is returned with
    /// <see cref="StaffAccount.Disabled"/> set: the caller refuses them and can say why.
    /// </summary>
    public async Task<StaffAccount?> VerifyAsync(string? email, string? password, CancellationToken ct = default)
    {
        var mail = email?.Trim().ToLowerInvariant();
        Row? row = null;
        if (!string.IsNullOrEmpty(mail))
        {
            await using var c = await database.OpenAsync(ct);
            row = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                $"SELECT {Columns} FROM staff WHERE email = @mail", new { mail }, cancellationToken: ct));
        }

        return PasswordHash.Verify(password, row?.PasswordHash) ? row!.ToAccount() : null;
    }

    public async Task<StaffAccount?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM staff WHERE id = @id", new { id }, cancellationToken: ct)))?.ToAccount();
    }

    public async Task<StaffAccount?> FindAsync(string email, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM staff WHERE email = @mail", new { mail = email.Trim().ToLowerInvariant() }, cancellationToken: ct)))?.ToAccount();
    }

    public async Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM staff ORDER BY name, id", cancellationToken: ct)))
            .Select(r => r.ToAccount()).ToList();
    }

    private async Task<string?> HashOfAsync(long id, CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT password_hash FROM staff WHERE id = @id", new { id }, cancellationToken: ct));
    }

    private static string CheckEmail(string? email)
    {
        var mail = email?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(mail) || mail.Length > 254 || !MailAddress.TryCreate(mail, out var parsed) || parsed.Address != mail)
        {
            throw new StaffException("Bad email", "A staff member signs in with their email: give one like grace@shop.example.");
        }

        return mail;
    }

    private static string CheckRole(string? role) =>
        StaffRoles.IsKnown(role) ? role! : throw new StaffException("Bad role", $"The role '{role}' is not one: use admin (manages staff, keys and erasure) or staff (inbox, customers, segments).");

    private sealed record Row(long Id, string Name, string? Email, string Role, string? PasswordHash, long CreatedAt, long? DisabledAt)
    {
        public StaffAccount ToAccount() =>
            new(Id, Name, Email, Role, PasswordHash is not null, Staff.PasswordHash.Stamp(PasswordHash), UnixTime.FromStorage(CreatedAt), DisabledAt is not null);
    }
}
