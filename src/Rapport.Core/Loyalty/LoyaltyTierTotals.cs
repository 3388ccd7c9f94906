using System.Globalization;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Core.Loyalty;

/// <summary>
/// The running total behind the points tier basis (points earned less reversed over the last
/// 12 months), in loyalty_qualifying (migration 1920): per customer, the points of the
/// operations with <c>at &gt; since</c>. The writer that appends an earn or reverse operation adds
/// it (when it is inside the row's window); an evaluation moves <c>since</c> to now − 12 months by
/// subtracting the operations between the old and the new <c>since</c>, which reads each
/// operation once, when it leaves the window. So the cost of an evaluation no longer grows with
/// the customer's history, and the total is exact (the same rows as the from-scratch sum, which
/// the read path and the tests still use). A merge moves operations between customers: the
/// holders' totals are counted again from scratch (<see cref="ResetAsync"/>).
/// </summary>
internal static class LoyaltyTierTotals
{
    /// <summary>A <c>since</c> before any stored time: the row counts every operation.</summary>
    public const long StartOfTime = -1_000_000_000_000_000;

    private const string Signed = "CASE WHEN kind = 'earn' THEN points ELSE -points END";

    /// <summary>After an earn or reverse operation was appended in this unit.</summary>
    public static async Task AddAsync(UnitOfWork unit, long owner, long signedPoints, long at)
    {
        // No row yet = a customer with no earn or reverse operation before this one (the
        // backfill and ResetAsync give every other customer a row), so this one is all of it.
        await unit.Statement(
            $"""
            INSERT INTO loyalty_qualifying (customer_id, since, points) VALUES (@owner, {StartOfTime}, @points)
            ON CONFLICT (customer_id) DO UPDATE SET
              points = loyalty_qualifying.points + CASE WHEN @at > loyalty_qualifying.since THEN excluded.points ELSE 0 END
            """,
            "@owner", "@points", "@at").ExecuteAsync(owner, signedPoints, at);
    }

    /// <summary>Points earned less reversed with at &gt; <paramref name="since"/>, moving the stored window there.</summary>
    public static async Task<long> QualifyingAsync(UnitOfWork unit, long owner, long since)
    {
        var rows = await unit.Statement("SELECT since, points FROM loyalty_qualifying WHERE customer_id = @owner", "@owner").QueryAsync(owner);
        if (rows.Count == 0)
        {
            // Only a customer with no earn or reverse operation has no row: nothing to count.
            return 0;
        }

        var stored = ToLong(rows[0][0]);
        var points = ToLong(rows[0][1]);
        if (stored == since)
        {
            return points;
        }

        // The operations between the two window starts: leaving the window when it moved on
        // (the usual case), or coming back into it when the clock went back.
        var (from, upTo, sign) = since > stored ? (stored, since, -1L) : (since, stored, 1L);
        var between = await unit.Statement(
            $"SELECT COUNT(*), COALESCE(SUM({Signed}), 0) FROM loyalty_operations " +
            "WHERE customer_id = @owner AND kind IN ('earn', 'reverse') AND at > @from AND at <= @upTo",
            "@owner", "@from", "@upTo").QueryAsync(owner, from, upTo);
        if (ToLong(between[0][0]) == 0)
        {
            // Nothing crossed: leave the row as it is (no write per evaluation); the next
            // evaluation reads the same empty range plus whatever left the window since.
            return points;
        }

        points += sign * ToLong(between[0][1]);
        await unit.Statement("UPDATE loyalty_qualifying SET since = @since, points = @points WHERE customer_id = @owner", "@since", "@points", "@owner")
            .ExecuteAsync(since, points, owner);
        return points;
    }

    /// <summary>Counts these customers' totals again from their operations (after merges moved operations).</summary>
    public static async Task ResetAsync(UnitOfWork unit, IEnumerable<long> customers)
    {
        foreach (var customer in customers.Distinct())
        {
            await unit.Connection.ExecuteAsync("DELETE FROM loyalty_qualifying WHERE customer_id = @customer", new { customer }, unit.Transaction);
            await unit.Connection.ExecuteAsync(
                $"""
                INSERT INTO loyalty_qualifying (customer_id, since, points)
                SELECT customer_id, {StartOfTime}, SUM({Signed}) FROM loyalty_operations
                WHERE customer_id = @customer AND kind IN ('earn', 'reverse') GROUP BY customer_id
                """,
                new { customer },
                unit.Transaction);
        }
    }

    private static long ToLong(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);
}
