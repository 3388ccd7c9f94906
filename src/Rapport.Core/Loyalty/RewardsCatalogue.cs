using System.Data.Common;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>A reward customers can redeem points for. Value is its retail value, for display; the cost recorded is points × point value.</summary>
public sealed record Reward(long Id, string Name, long Points, decimal Value, bool Active, DateTimeOffset CreatedAt);

/// <summary>The rewards catalogue (loyalty_rewards).</summary>
public sealed class RewardsCatalogue(StoreWriter writer)
{
    public static string? Validate(string? name, long? points, decimal? value)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return "name is required (at most 200 characters), e.g. \"Free coffee\".";
        }

        if (points is not ({ } p and > 0 and <= LoyaltyLedger.MaxPoints))
        {
            return $"points must be a whole number of points between 1 and {LoyaltyLedger.MaxPoints}, e.g. 500.";
        }

        return value is < 0 ? "value must be 0 or more currency units (its retail value)." : null;
    }

    public Task<Reward> AddAsync(string name, long points, decimal value, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    "INSERT INTO loyalty_rewards (name, points, value_e4, active, created_at) VALUES (@name, @points, @value, 1, @now) RETURNING id",
                    new { name, points, value = Money.ToStorage(value), now = unit.Now },
                    unit.Transaction);
                return new Reward(id, name, points, value, true, unit.Clock.GetUtcNow());
            },
            ct);

    public async Task<IReadOnlyList<Reward>> ListAsync(bool includeInactive, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var rows = await c.QueryAsync<RewardRow>(
            $"SELECT {RewardRow.Columns} FROM loyalty_rewards {(includeInactive ? "" : "WHERE active = 1")} ORDER BY points, id");
        return rows.Select(r => r.ToReward()).ToList();
    }

    internal static async Task<Reward?> FindAsync(DbConnection c, DbTransaction? t, long id) =>
        (await c.QuerySingleOrDefaultAsync<RewardRow>($"SELECT {RewardRow.Columns} FROM loyalty_rewards WHERE id = @id", new { id }, t))?.ToReward();

    private sealed class RewardRow
    {
        public const string Columns = "id AS Id, name AS Name, points AS Points, value_e4 AS Value, active AS Active, created_at AS CreatedAt";

        public long Id { get; init; }

        public string Name { get; init; } = "";

        public long Points { get; init; }

        public long Value { get; init; }

        public long Active { get; init; }

        public long CreatedAt { get; init; }

        public Reward ToReward() => new(Id, Name, Points, Money.FromStorage(Value), Active == 1, UnixTime.FromStorage(CreatedAt));
    }
}
