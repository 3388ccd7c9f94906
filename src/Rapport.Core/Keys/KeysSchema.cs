using Rapport.Core.Storage;

namespace Rapport.Core.Keys;

internal static class KeysSchema
{
    public static readonly Migration[] Migrations =
    [
        new(100, "api keys", """
            CREATE TABLE api_keys (
              id {id},
              kind TEXT NOT NULL,
              name TEXT NOT NULL,
              prefix TEXT NOT NULL,
              hash TEXT NOT NULL UNIQUE,
              created_at BIGINT NOT NULL,
              revoked_at BIGINT NULL);
            """),
    ];
}
