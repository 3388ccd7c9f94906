using System.Data.Common;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>A programme as shown: its definition, what its gifts cost so far and what is left of the budget.</summary>
public sealed record SurpriseProgramView(long Id, SurpriseProgram Program, decimal Spent, decimal BudgetLeft, long Gifts, long HeldOut);

/// <summary>Surprise-and-delight programmes (surprise_programs), stored as JSON.</summary>
public sealed class SurprisePrograms(StoreWriter writer)
{
    public Task<SurpriseProgramView> AddAsync(SurpriseProgram program, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    "INSERT INTO surprise_programs (name, definition, created_at, updated_at) VALUES (@Name, @text, @now, @now) RETURNING id",
                    new { program.Name, text = JsonSerializer.Serialize(program, LoyaltyProgramStore.Json), now = unit.Now },
                    unit.Transaction);
                return (await ViewAsync(unit.Connection, unit.Transaction, id))!;
            },
            ct);

    /// <summary>Replaces a programme's definition (gifts already given stay); null when there is no such programme.</summary>
    public Task<SurpriseProgramView?> ReplaceAsync(long id, SurpriseProgram program, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                var changed = await unit.Connection.ExecuteAsync(
                    "UPDATE surprise_programs SET name = @Name, definition = @text, updated_at = @now WHERE id = @id",
                    new { id, program.Name, text = JsonSerializer.Serialize(program, LoyaltyProgramStore.Json), now = unit.Now },
                    unit.Transaction);
                return changed == 1 ? await ViewAsync(unit.Connection, unit.Transaction, id) : null;
            },
            ct);

    public async Task<IReadOnlyList<SurpriseProgramView>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var ids = await c.QueryAsync<long>("SELECT id FROM surprise_programs ORDER BY id");
        var views = new List<SurpriseProgramView>();
        foreach (var id in ids)
        {
            views.Add((await ViewAsync(c, null, id))!);
        }

        return views;
    }

    public async Task<SurpriseProgramView?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        return await ViewAsync(c, null, id);
    }

    internal static async Task<SurpriseProgramView?> ViewAsync(DbConnection c, DbTransaction? t, long id)
    {
        var text = await c.ExecuteScalarAsync<string?>("SELECT definition FROM surprise_programs WHERE id = @id", new { id }, t);
        if (text is null)
        {
            return null;
        }

        var program = JsonSerializer.Deserialize<SurpriseProgram>(text, LoyaltyProgramStore.Json)!;
        var totals = await c.QuerySingleAsync<(long Spent, long Gifts, long Held)>(
            """
            SELECT COALESCE(SUM(cost_e4), 0), COUNT(CASE WHEN control = 0 THEN 1 END), COUNT(CASE WHEN control = 1 THEN 1 END)
            FROM surprise_gifts WHERE program_id = @id
            """,
            new { id },
            t);
        var spent = Money.FromStorage(totals.Spent);
        return new SurpriseProgramView(id, program, spent, program.Budget - spent, totals.Gifts, totals.Held);
    }
}
