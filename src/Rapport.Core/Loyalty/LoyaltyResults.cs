namespace Rapport.Core.Loyalty;

public enum LoyaltyStatus
{
    Done,
    Duplicate,
    NoCustomer,
    Insufficient,
    LimitExceeded,
    NoReward,
}

/// <summary>One row of loyalty_operations: an earning, a redemption or a return's reversal. Points are positive; Kind says which way.</summary>
public sealed record LoyaltyOperation(
    long Id, long CustomerId, string Kind, long Points, long BalanceAfter, string? Reference, string? OrderId, long? RewardId, string? Note, DateTimeOffset At);

/// <summary>
/// The outcome of an earn or redeem request. On failure, Problem says why and how to fix it;
/// Balance is the balance now; LastExpiry the latest date points expired (for "your points expired on …").
/// </summary>
public sealed record LoyaltyResult(LoyaltyStatus Status, LoyaltyOperation? Operation, long Balance, string? Problem = null, DateTimeOffset? LastExpiry = null)
{
    public static LoyaltyResult NoCustomer { get; } = new(LoyaltyStatus.NoCustomer, null, 0);
}
