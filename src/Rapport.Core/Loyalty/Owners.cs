using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>Who carries a customer's loyalty now: the customer, or whoever they were merged into.</summary>
internal static class Owners
{
    /// <summary>Null when there is no such customer.</summary>
    public static async Task<long?> FindAsync(UnitOfWork unit, long customerId)
    {
        HashSet<long>? seen = null; // made only when following a merge: most customers were never merged
        var first = true;
        long? current = customerId;
        while (current is { } c && (first || (seen ??= [customerId]).Add(c)))
        {
            first = false;
            // A prepared statement: this runs first in every earning and redemption.
            var rows = await unit.Statement("SELECT merged_into FROM customers WHERE id = @c", "@c").QueryAsync(c);
            if (rows.Count == 0)
            {
                return null;
            }

            if (rows[0][0] is not { } mergedInto)
            {
                return c;
            }

            current = Convert.ToInt64(mergedInto, System.Globalization.CultureInfo.InvariantCulture);
        }

        return current;
    }
}
