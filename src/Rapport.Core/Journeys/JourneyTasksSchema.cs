using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <summary>Closing journey tasks (issue 5, erasure branch) owns 1410-1419.</summary>
internal static class JourneyTasksSchema
{
    public static readonly Migration[] Migrations =
    [
        // When and by whom a journey task was closed, with the account manager's note.
        new(1410, "journey task closing", """
            ALTER TABLE journey_tasks ADD COLUMN closed_at BIGINT NULL;
            ALTER TABLE journey_tasks ADD COLUMN closed_by TEXT NULL;
            ALTER TABLE journey_tasks ADD COLUMN note TEXT NULL;
            """),
    ];
}
