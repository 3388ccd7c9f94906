using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Customers;

/// <summary>How a list of customers names them: the name trait (else first and last name) and the email.</summary>
public readonly record struct CustomerLabel(string? Name, string? Email);

/// <summary>
/// Names and emails of a page of customers in one query of their traits, for the dashboard's
/// lists (a needs cluster's members, a segment's): a page is a few dozen ids.
/// </summary>
public static class CustomerLabels
{
    public static async Task<Dictionary<long, CustomerLabel>> ReadAsync(DbConnection c, SqlDialect dialect, IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        var labels = new Dictionary<long, CustomerLabel>(ids.Count);
        if (ids.Count == 0)
        {
            return labels;
        }

        var traits = (await c.QueryAsync<(long Id, string Name, string Value)>(new CommandDefinition(
            $"SELECT customer_id, name, value FROM traits WHERE customer_id IN {ValueList.Sql(dialect, "@ids")} AND name IN ('name', 'email', 'firstName', 'lastName')",
            new { ids = ValueList.Of(dialect, ids) },
            cancellationToken: ct))).ToLookup(t => t.Id);
        foreach (var id in ids)
        {
            string? Trait(string name) => traits[id].FirstOrDefault(t => t.Name == name).Value;
            var name = Trait("name") ?? (string.Join(' ', new[] { Trait("firstName"), Trait("lastName") }.Where(x => x is not null)) is { Length: > 0 } n ? n : null);
            labels[id] = new CustomerLabel(name, Trait("email"));
        }

        return labels;
    }
}
