using Rapport.Core.Storage;

namespace Rapport.Core.Erasure;

/// <summary>Carrying out erasure requests (issue 5) owns 1360-1379.</summary>
internal static class ErasureSchema
{
    public static readonly Migration[] Migrations =
    [
        // erased_customers: every customer id whose personal data was erased (the survivor and
        // any customer merged into it), so nothing is sent to them again even if a merge is
        // undone later. The request row in erasure_requests is the proof of when and why.
        new(1360, "erasure", """
            CREATE TABLE erased_customers (
              customer_id BIGINT NOT NULL PRIMARY KEY,
              request_id BIGINT NOT NULL,
              erased_at BIGINT NOT NULL);
            """),
    ];
}
