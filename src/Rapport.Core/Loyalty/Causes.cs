using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>A cause (a charity) customers can give to.</summary>
public sealed record Cause(long Id, string Name, string? Description, string? Url, bool Active, DateTimeOffset CreatedAt);

/// <summary>A cause a customer chose, as shown.</summary>
public sealed record CustomerCause(long CauseId, string Name, decimal PointsShare, decimal PurchasePercent);

/// <summary>Result of replacing a customer's causes: the new list, or what is wrong (NotFound when there is no such customer).</summary>
public sealed record CauseChoiceOutcome(IReadOnlyList<CustomerCause>? Choices, bool NotFound = false, string? Problem = null);

/// <summary>The causes catalogue and each customer's chosen causes (docs/causes.md).</summary>
public sealed class Causes(StoreWriter writer, LoyaltyProgramStore programs)
{
    public static string? Validate(string? name, string? description, string? url)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return "name is required (at most 200 characters), e.g. \"River Trust\".";
        }

        if (description is { Length: > 2000 })
        {
            return "description must be at most 2000 characters.";
        }

        return url is { } u && (!Uri.TryCreate(u, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            ? $"url '{u}' must be an absolute http(s) address, e.g. https://example.org."
            : null;
    }

    public Task<Cause> AddAsync(string name, string? description, string? url, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    "INSERT INTO causes (name, description, url, active, created_at) VALUES (@name, @description, @url, 1, @now) RETURNING id",
                    new { name, description, url, now = unit.Now },
                    unit.Transaction);
                return new Cause(id, name, description, url, true, unit.Clock.GetUtcNow());
            },
            ct);

    /// <summary>Retires a cause (no new donations; what was given stays in the ledger and the report). False when there is no such cause.</summary>
    public Task<bool> RetireAsync(long id, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit => await unit.Connection.ExecuteAsync("UPDATE causes SET active = 0 WHERE id = @id", new { id }, unit.Transaction) == 1,
            ct);

    public async Task<IReadOnlyList<Cause>> ListAsync(bool includeRetired, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, string Name, string? Description, string? Url, long Active, long CreatedAt)>(
            $"SELECT id, name, description, url, active, created_at FROM causes {(includeRetired ? "" : "WHERE active = 1")} ORDER BY name, id");
        return rows.Select(r => new Cause(r.Id, r.Name, r.Description, r.Url, r.Active == 1, UnixTime.FromStorage(r.CreatedAt))).ToList();
    }

    /// <summary>The customer's active causes; null when there is no such customer.</summary>
    public Task<IReadOnlyList<CustomerCause>?> ChoicesAsync(long customerId, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit => await Owners.FindAsync(unit, customerId) is { } owner ? await ChoicesInUnitAsync(unit, owner) : null,
            ct);

    /// <summary>Replaces the customer's causes. Every cause must exist and be active; purchase percents together stay within the programme's donationPercentMax.</summary>
    public Task<CauseChoiceOutcome> SetChoicesAsync(long customerId, IReadOnlyList<CauseChoice> choices, CancellationToken ct = default) =>
        writer.WriteAsync(
            async unit =>
            {
                if (await Owners.FindAsync(unit, customerId) is not { } owner)
                {
                    return new CauseChoiceOutcome(null, NotFound: true);
                }

                var program = await programs.GetAsync(unit.Connection, unit.Transaction, ct);
                if (DonationRules.Validate(choices, program.DonationPercentMax) is { } problem)
                {
                    return new CauseChoiceOutcome(null, Problem: problem);
                }

                foreach (var choice in choices)
                {
                    if (await unit.Connection.ExecuteScalarAsync<long?>(
                            "SELECT id FROM causes WHERE id = @CauseId AND active = 1", new { choice.CauseId }, unit.Transaction) is null)
                    {
                        return new CauseChoiceOutcome(null, Problem: $"There is no active cause {choice.CauseId}; list them at /v1/causes.");
                    }
                }

                await unit.Connection.ExecuteAsync("DELETE FROM cause_choices WHERE customer_id = @owner", new { owner }, unit.Transaction);
                foreach (var choice in choices)
                {
                    await unit.Connection.ExecuteAsync(
                        """
                        INSERT INTO cause_choices (customer_id, recorded_for, cause_id, points_share_e4, purchase_percent_e4, updated_at)
                        VALUES (@owner, @recordedFor, @CauseId, @share, @percent, @now)
                        """,
                        new { owner, recordedFor = customerId, choice.CauseId, share = Money.ToStorage(choice.PointsShare), percent = Money.ToStorage(choice.PurchasePercent), now = unit.Now },
                        unit.Transaction);
                }

                return new CauseChoiceOutcome(await ChoicesInUnitAsync(unit, owner));
            },
            ct);

    /// <summary>A prepared statement: every order asks (donations), and most customers chose no cause.</summary>
    internal static async Task<IReadOnlyList<CustomerCause>> ChoicesInUnitAsync(UnitOfWork unit, long owner) =>
        (await unit.Statement(
            """
            SELECT c.id, c.name, ch.points_share_e4, ch.purchase_percent_e4 FROM cause_choices ch JOIN causes c ON c.id = ch.cause_id
            WHERE ch.customer_id = @owner AND c.active = 1 ORDER BY ch.id
            """,
            "@owner").QueryAsync(owner))
        .Select(r => new CustomerCause(Long(r[0]), (string)r[1]!, Money.FromStorage(Long(r[2])), Money.FromStorage(Long(r[3]))))
        .ToList();

    private static long Long(object? value) => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<IReadOnlyList<CauseChoice>> RulesChoicesAsync(UnitOfWork unit, long owner) =>
        (await ChoicesInUnitAsync(unit, owner)).Select(c => new CauseChoice(c.CauseId, c.PointsShare, c.PurchasePercent)).ToList();
}
