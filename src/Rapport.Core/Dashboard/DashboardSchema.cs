using Rapport.Core.Storage;

namespace Rapport.Core.Dashboard;

/// <summary>The dashboard's own settings (1000s): the stored admin password hash.</summary>
internal static class DashboardSchema
{
    public static readonly Migration[] Migrations =
    [
        new(1000, "dashboard settings", """
            CREATE TABLE dashboard_settings (
              name TEXT PRIMARY KEY,
              value TEXT NOT NULL,
              updated_at BIGINT NOT NULL);
            """),
    ];
}
