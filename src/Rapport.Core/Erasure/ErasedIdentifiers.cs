using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Erasure;

/// <summary>
/// Replaces each identifier an erased customer owns by a random token, in <c>identifiers</c>, in
/// the identity graph and in every table that files rows under an identifier, so the rows that
/// stay (orders, consent proof, decisions) still belong together but point at nobody. The token
/// is random, not derived from the value: it cannot be reversed or recomputed, so a later event
/// carrying the old email or user id finds no owner and starts a new customer.
/// </summary>
internal static class ErasedIdentifiers
{
    public const string TokenPrefix = "erased:";

    /// <summary>Tables whose rows are filed under (id_kind, id_value).</summary>
    private static readonly string[] FiledUnderIdentifier =
    [
        "events", "orders", "consent_ledger", "contact_log", "decisions", "profiling_asks", "customer_managers", "conversation_threads",
    ];

    public static string NewToken() => TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <returns>Each replaced identifier and its token.</returns>
    public static async Task<Dictionary<Identifier, string>> ReplaceAsync(UnitOfWork unit, IReadOnlyCollection<long> customers, ErasureCounts counts)
    {
        var c = unit.Connection;
        var tx = unit.Transaction;
        var owned = await c.QueryAsync<(string Kind, string Value)>(
            $"SELECT kind, value FROM identifiers WHERE customer_id IN {ValueList.Sql(unit.Dialect, "@customers")} ORDER BY kind, value",
            new { customers = ValueList.Of(unit.Dialect, customers) }, tx);
        var tokens = owned.ToDictionary(i => new Identifier(i.Kind, i.Value), _ => NewToken());
        foreach (var (id, token) in tokens)
        {
            var p = new { kind = id.Kind, value = id.Value, token };
            counts.Add("identifiers", await c.ExecuteAsync("UPDATE identifiers SET value = @token WHERE kind = @kind AND value = @value", p, tx));
            counts.Add("identity_links",
                await c.ExecuteAsync("UPDATE identity_links SET a_value = @token WHERE a_kind = @kind AND a_value = @value", p, tx)
                + await c.ExecuteAsync("UPDATE identity_links SET b_value = @token WHERE b_kind = @kind AND b_value = @value", p, tx));
            foreach (var table in FiledUnderIdentifier)
            {
                counts.Add(table, await c.ExecuteAsync($"UPDATE {table} SET id_value = @token WHERE id_kind = @kind AND id_value = @value", p, tx));
            }
        }

        await ReplaceInMergesAsync(unit, customers, tokens, counts);
        return tokens;
    }

    /// <summary>A merge row lists the identifiers it moved ("kind:value"), for undoing it: those become tokens too.</summary>
    private static async Task ReplaceInMergesAsync(UnitOfWork unit, IReadOnlyCollection<long> customers, Dictionary<Identifier, string> tokens, ErasureCounts counts)
    {
        var list = ValueList.Sql(unit.Dialect, "@customers");
        var rows = await unit.Connection.QueryAsync<(long Id, string Identifiers)>(
            $"SELECT id, identifiers FROM merges WHERE survivor_id IN {list} OR absorbed_id IN {list}",
            new { customers = ValueList.Of(unit.Dialect, customers) }, unit.Transaction);
        var byText = tokens.ToDictionary(t => t.Key.ToString(), t => $"{t.Key.Kind}:{t.Value}", StringComparer.Ordinal);
        foreach (var (id, json) in rows)
        {
            var moved = JsonSerializer.Deserialize<List<string>>(json) ?? [];
            var replaced = moved.Select(m => byText.GetValueOrDefault(m, m)).ToList();
            counts.Add("merges", await unit.Connection.ExecuteAsync(
                "UPDATE merges SET identifiers = @identifiers WHERE id = @id", new { id, identifiers = JsonSerializer.Serialize(replaced) }, unit.Transaction));
        }
    }
}
