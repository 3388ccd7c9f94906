namespace Rapport.Engine.Pricing;

/// <summary>
/// A contract's status on a given day (pure): cancelled stays cancelled; before its start it is
/// pending; after its end it is expired (and no longer applied); otherwise active. Days are UTC
/// calendar days, both ends included.
/// </summary>
public static class ContractRules
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";

    public static string Status(bool cancelled, DateOnly start, DateOnly end, DateOnly today) =>
        cancelled ? Cancelled : today < start ? Pending : today > end ? Expired : Active;

    /// <summary>What is still to be bought to meet the minimum commitment (0 once met).</summary>
    public static decimal Shortfall(decimal minimum, decimal spent) => Math.Max(0, minimum - spent);

    public static string? Validate(long? customerId, long? segmentId, DateOnly? start, DateOnly? end, decimal? discountPercent, decimal? minimum, IReadOnlyDictionary<string, decimal>? prices)
    {
        if (customerId is null == segmentId is null)
        {
            return "give either customerId (a business account) or segmentId (a group of accounts), not both.";
        }

        if (start is null || end is null || end < start)
        {
            return "startDate and endDate are required (yyyy-MM-dd, UTC days, both included) and endDate may not be before startDate.";
        }

        if (discountPercent is < 0 or > 100)
        {
            return "discountPercent must be between 0 and 100.";
        }

        if (minimum is < 0)
        {
            return "minimumCommitment must be 0 or more (money to be bought over the term).";
        }

        if (prices is { } p && (p.Count > 10_000 || p.Any(kv => string.IsNullOrWhiteSpace(kv.Key) || kv.Value < 0)))
        {
            return "prices maps skus to negotiated unit prices of 0 or more, e.g. {\"COFFEE-1KG\": 12.50}.";
        }

        return (discountPercent ?? 0) == 0 && (prices is null || prices.Count == 0)
            ? "a contract needs negotiated prices, a discountPercent, or both."
            : null;
    }
}
