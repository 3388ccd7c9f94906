namespace Rapport.Engine.Clv;

/// <summary>One purchase as it arrives from the shop: who, which calendar day, how much.</summary>
/// <remarks>The day is a <see cref="DateOnly"/> because the protocol works in whole days:
/// purchases on the same day are merged, so a time of day would only invite mistakes.</remarks>
public readonly record struct Transaction(string CustomerId, DateOnly Date, decimal Amount);
