using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>Who carries a customer's loyalty now: the customer, or whoever they were merged into.</summary>
internal static class Owners
{
    /// <summary>Null when there is no such customer.</summary>
    public static async Task<long?> FindAsync(UnitOfWork unit, long customerId)
    {
        var seen = new HashSet<long>();
        long? current = customerId;
        while (current is { } c && seen.Add(c))
        {
            var row = await unit.Connection.QuerySingleOrDefaultAsync<(long Id, long? MergedInto)?>(
                "SELECT id, merged_into FROM customers WHERE id = @c", new { c }, unit.Transaction);
            if (row is not { } r)
            {
                return null;
            }

            if (r.MergedInto is null)
            {
                return r.Id;
            }

            current = r.MergedInto;
        }

        return current;
    }
}
