using Rapport.Core.Storage;

namespace Rapport.Core.Staff;

/// <summary>
/// Schema steps 1500-1519: staff members sign in. The staff table (1400, conversations) gains a
/// role and a salted PBKDF2 password hash; a member without a hash cannot sign in yet.
/// </summary>
internal static class StaffSchema
{
    public static readonly Migration[] Migrations =
    [
        new(1500, "staff sign-in", """
            ALTER TABLE staff ADD COLUMN role TEXT NOT NULL DEFAULT 'staff';
            ALTER TABLE staff ADD COLUMN password_hash TEXT NULL;
            ALTER TABLE staff ADD COLUMN password_set_at BIGINT NULL;
            """),
    ];
}
