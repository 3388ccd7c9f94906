using Rapport.Core.Storage;

namespace Rapport.Core.Preferences;

/// <summary>
/// Step 1510 (staff/preferences range 1500-1519): requests for a new preference-centre link,
/// kept for the hourly rate limit. subject is "customer:ID" or "email:SHA256" (the address
/// itself is not kept: an unknown address leaves nothing personal behind).
/// </summary>
internal static class LinkRequestsSchema
{
    public static readonly Migration[] Migrations =
    [
        new(1510, "preference link requests", """
            CREATE TABLE preference_link_requests (
              id {id},
              subject TEXT NOT NULL,
              requested_at BIGINT NOT NULL);
            CREATE INDEX ix_preference_link_requests ON preference_link_requests (subject, requested_at);
            """),
    ];
}
