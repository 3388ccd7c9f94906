using Rapport.Core.Storage;

namespace Rapport.Core.Dashboard;

/// <summary>Schema steps 1540-1559: the dashboard's cookie key ring (docs/dashboard.md).</summary>
internal static class DashboardKeysSchema
{
    public static readonly Migration[] Migrations =
    [
        // dashboard_keys: the ASP.NET Core data-protection key ring (one XML element per key, as
        // the framework writes it) that signs and encrypts the sign-in, anti-forgery and
        // preference cookies. Kept in the store so a restart, or another node on the same
        // PostgreSQL, reads the same keys and nobody is signed out. Rows are only added: the
        // framework marks keys expired or revoked by writing new elements.
        new(1540, "dashboard key ring", """
            CREATE TABLE dashboard_keys (
              name TEXT PRIMARY KEY,
              xml TEXT NOT NULL,
              created_at BIGINT NOT NULL);
            """),
    ];
}
