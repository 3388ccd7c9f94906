using System.Data;
using Dapper;

namespace Rapport.Core.Identity;

/// <summary>
/// The address to reach a customer on: their most recently seen identifier of a kind (the
/// newest email for an answer or a link, the newest phone for a text). Ties break by value so
/// the choice is the same on both stores.
/// </summary>
public static class NewestIdentifier
{
    public static Task<string?> OfAsync(IDbConnection connection, IDbTransaction? transaction, long customerId, string kind) =>
        connection.QueryFirstOrDefaultAsync<string?>(
            "SELECT value FROM identifiers WHERE customer_id = @customerId AND kind = @kind ORDER BY first_seen_at DESC, value LIMIT 1",
            new { customerId, kind }, transaction);
}
