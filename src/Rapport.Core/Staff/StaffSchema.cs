using Rapport.Core.Storage;

namespace Rapport.Core.Staff;

/// <summary>
/// Schema steps 1500-1519: staff members sign in. The staff table (1400, conversations) gains a
/// role and a salted PBKDF2 password hash; a member without a hash cannot sign in yet.
/// Steps 1680-1689: a member can be disabled (kept with their history, but locked out), and
/// failed sign-ins are remembered per account and per address for the sign-in limit.
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
        new(1680, "staff disabled, sign-in failures", """
            ALTER TABLE staff ADD COLUMN disabled_at BIGINT NULL;
            CREATE TABLE sign_in_failures (scope TEXT NOT NULL, failed_at BIGINT NOT NULL);
            CREATE INDEX ix_sign_in_failures_scope ON sign_in_failures (scope, failed_at);
            """),
    ];
}
