using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// The programme (earning rules, tiers, limits, prices) stored as JSON in loyalty_program.
/// A store that was never configured runs the defaults of <see cref="LoyaltyProgram"/>. Reads
/// are one primary-key lookup; the parsed programme is kept while its text is unchanged.
/// </summary>
public sealed class LoyaltyProgramStore(IDatabase database, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private (string Text, LoyaltyProgram Program)? _parsed;

    public async Task<LoyaltyProgram> GetAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct = default)
    {
        var text = await connection.ExecuteScalarAsync<string?>(
            new CommandDefinition("SELECT definition FROM loyalty_program WHERE id = 1", transaction: transaction, cancellationToken: ct));
        return Parsed(text);
    }

    private LoyaltyProgram Parsed(string? text)
    {
        if (text is null)
        {
            return new LoyaltyProgram();
        }

        var cached = _parsed;
        if (cached is { } c && c.Text == text)
        {
            return c.Program;
        }

        var program = JsonSerializer.Deserialize<LoyaltyProgram>(text, Json) ?? new LoyaltyProgram();
        _parsed = (text, program);
        return program;
    }

    /// <summary>The programme read inside a write transaction through a prepared statement (earning and redemption read it every time).</summary>
    public async Task<LoyaltyProgram> GetAsync(UnitOfWork unit) =>
        Parsed(await unit.Statement("SELECT definition FROM loyalty_program WHERE id = 1").ScalarAsync() as string);

    public async Task<LoyaltyProgram> GetAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await GetAsync(c, null, ct);
    }

    /// <summary>
    /// Replaces the programme inside a write (validate first: this stores what it is given).
    /// Point values and reciprocity prices move every customer's reciprocity balance, which next
    /// best action caches: the unit marks every customer changed. Called through
    /// <see cref="LoyaltyProgramWriter"/> (this store cannot take the writer: the writer's
    /// projections depend on it).
    /// </summary>
    internal async Task SaveAsync(UnitOfWork unit, LoyaltyProgram program)
    {
        await unit.Connection.ExecuteAsync(
            """
            INSERT INTO loyalty_program (id, definition, updated_at) VALUES (1, @text, @now)
            ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
            """,
            new { text = JsonSerializer.Serialize(program, Json), now = UnixTime.ToStorage(clock.GetUtcNow()) },
            unit.Transaction);
        unit.EveryCustomerChanged = true;
    }
}

/// <summary>Replaces the loyalty programme through the single writer, so caches keyed on its effects are dropped.</summary>
public sealed class LoyaltyProgramWriter(StoreWriter writer, LoyaltyProgramStore programs)
{
    public Task SaveAsync(LoyaltyProgram program, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                await programs.SaveAsync(unit, program);
                return 0;
            },
            ct);
}
