using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>
/// Each customer's strongest identifier (user id first, see <see cref="Identifier.CompareTo"/>):
/// what derived events, consent rows and decisions are filed under, so they follow the customer
/// through later merges and undos. One query for any number of customers.
/// </summary>
public static class StrongestIdentifiers
{
    public static async Task<Dictionary<long, Identifier>> ForAsync(
        DbConnection c, DbTransaction? tx, SqlDialect dialect, IReadOnlyCollection<long> customers)
    {
        var result = new Dictionary<long, Identifier>();
        if (customers.Count == 0)
        {
            return result;
        }

        var rows = await c.QueryAsync<(long Customer, string Kind, string Value)>(
            $"SELECT customer_id, kind, value FROM identifiers WHERE customer_id IN {ValueList.Sql(dialect, "@customers")}",
            new { customers = ValueList.Of(dialect, customers) },
            tx);
        foreach (var (customer, kind, value) in rows)
        {
            var id = new Identifier(kind, value);
            if (!result.TryGetValue(customer, out var best) || id.CompareTo(best) < 0)
            {
                result[customer] = id;
            }
        }

        return result;
    }

    public static Task<Dictionary<long, Identifier>> ForAsync(UnitOfWork unit, IReadOnlyCollection<long> customers) =>
        ForAsync(unit.Connection, unit.Transaction, unit.Dialect, customers);
}
