using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Erasure;

/// <summary>
/// The suppression list holds any channel's address (an email, a phone number, a push token),
/// keyed by the address itself, so it cannot be tokenised: the customer's rows are deleted. Runs
/// first, while their identifiers, traits and messages still hold the addresses.
/// </summary>
internal static class ErasedSuppressions
{
    public static async Task DeleteAsync(UnitOfWork unit, IReadOnlyCollection<long> customers, ErasureCounts counts)
    {
        var inCustomers = $"customer_id IN {ValueList.Sql(unit.Dialect, "@ids")}";
        counts.Add("email_suppressions", await unit.Connection.ExecuteAsync(
            $"""
            DELETE FROM email_suppressions
            WHERE lower(address) IN (SELECT lower(value) FROM identifiers WHERE {inCustomers} AND kind IN (@email, @phone))
               OR address IN (SELECT recipient FROM outbox WHERE {inCustomers})
               OR address IN (SELECT value FROM traits WHERE {inCustomers} AND name IN ('email', 'phone', 'pushToken', 'push_token'))
               OR source_message IN (SELECT id FROM outbox WHERE {inCustomers})
            """,
            new { ids = ValueList.Of(unit.Dialect, customers), email = Identifier.Email, phone = Identifier.Phone },
            unit.Transaction));
    }
}
