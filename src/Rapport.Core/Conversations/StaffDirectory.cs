using Dapper;
using Rapport.Core.Identity;
using Rapport.Core.Storage;

namespace Rapport.Core.Conversations;

/// <summary>
/// Staff members and each customer's account manager: the named person who serves them. The
/// assignment is filed under the customer's strongest identifier so it follows merges; a
/// customer who merged with another keeps the most recent assignment of the two.
/// </summary>
public sealed class StaffDirectory(StoreWriter writer, IDatabase database, TimeProvider clock)
{
    public async Task<StaffMember> AddAsync(string name, string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200)
        {
            throw new ConversationException("Bad name", "A staff member needs a name of 1 to 200 characters, e.g. {\"name\": \"Grace Hopper\", \"email\": \"grace@shop.example\"}.");
        }

        var mail = string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();
        try
        {
            var id = await writer.WriteAsync(unit => unit.Connection.ExecuteScalarAsync<long>(
                "INSERT INTO staff (name, email, created_at) VALUES (@name, @mail, @now) RETURNING id",
                new { name = name.Trim(), mail, now = unit.Now }, unit.Transaction), ct);
            return (await GetAsync(id, ct))!;
        }
        catch (Exception e) when (database.Dialect.IsUniqueViolation(e))
        {
            throw new ConversationException("Email taken", $"A staff member with the email {mail} exists already; GET /v1/staff lists them.");
        }
    }

    public async Task<IReadOnlyList<StaffMember>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>("SELECT id AS Id, name AS Name, email AS Email, created_at AS CreatedAt, disabled_at AS DisabledAt FROM staff ORDER BY name, id")).Select(r => r.ToMember()).ToList();
    }

    public async Task<StaffMember?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>("SELECT id AS Id, name AS Name, email AS Email, created_at AS CreatedAt, disabled_at AS DisabledAt FROM staff WHERE id = @id", new { id }))?.ToMember();
    }

    /// <summary>The customer's account manager, or null; a disabled manager is returned with Disabled set (the assignment stays until someone changes it).</summary>
    public async Task<StaffMember?> ManagerOfAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryFirstOrDefaultAsync<Row>(
            """
            SELECT s.id AS Id, s.name AS Name, s.email AS Email, s.created_at AS CreatedAt, s.disabled_at AS DisabledAt FROM customer_managers m
            JOIN identifiers i ON i.kind = m.id_kind AND i.value = m.id_value
            JOIN staff s ON s.id = m.staff_id
            WHERE i.customer_id = @customerId ORDER BY m.assigned_at DESC, s.id
            """, new { customerId }))?.ToMember();
    }

    /// <summary>Makes <paramref name="staffId"/> the customer's manager (null: nobody). False when the customer does not exist.</summary>
    public async Task<bool> AssignAsync(long customerId, long? staffId, CancellationToken ct = default)
    {
        if (staffId is { } s && await GetAsync(s, ct) is var member && member is not { Disabled: false })
        {
            throw member is null
                ? new ConversationException("Unknown staff member", $"There is no staff member {s}; GET /v1/staff lists them, POST /v1/staff adds one.")
                : new ConversationException("Staff member disabled", $"{member.Name} (staff member {s}) is disabled; choose someone else, or enable them first (PATCH /v1/staff/{s} with {{\"disabled\": false}}).");
        }

        return await writer.WriteAsync(async unit =>
        {
            var who = await StrongestIdentifiers.ForAsync(unit, [customerId]);
            if (!who.TryGetValue(customerId, out var id))
            {
                return false;
            }

            await unit.Connection.ExecuteAsync(
                "DELETE FROM customer_managers WHERE EXISTS (SELECT 1 FROM identifiers i WHERE i.customer_id = @customerId AND i.kind = customer_managers.id_kind AND i.value = customer_managers.id_value)",
                new { customerId }, unit.Transaction);
            if (staffId is not null)
            {
                await unit.Connection.ExecuteAsync(
                    "INSERT INTO customer_managers (id_kind, id_value, staff_id, assigned_at) VALUES (@Kind, @Value, @staffId, @now)",
                    new { id.Kind, id.Value, staffId, now = UnixTime.ToStorage(clock.GetUtcNow()) }, unit.Transaction);
            }

            return true;
        }, ct);
    }

    /// <summary>The customers a staff member manages (ids of the customers who own the assignments now).</summary>
    public async Task<IReadOnlyList<long>> CustomersOfAsync(long staffId, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<long>(
            """
            SELECT DISTINCT i.customer_id FROM customer_managers m
            JOIN identifiers i ON i.kind = m.id_kind AND i.value = m.id_value
            WHERE m.staff_id = @staffId ORDER BY i.customer_id
            """, new { staffId })).ToList();
    }

    private sealed record Row(long Id, string Name, string? Email, long CreatedAt, long? DisabledAt)
    {
        public StaffMember ToMember() => new(Id, Name, Email, UnixTime.FromStorage(CreatedAt), DisabledAt is not null);
    }
}
