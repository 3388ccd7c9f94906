namespace Rapport.Core.Storage;

/// <summary>
/// Money is decimal in the domain and a 64-bit integer of 1/10,000 currency units in storage.
/// Four places, not two, because real price lists hold prices such as 0.001 (the UCI Online
/// Retail file has them) and the sums must reproduce exactly.
/// </summary>
public static class Money
{
    public const decimal Scale = 10_000m;

    public static long ToStorage(decimal amount) => (long)decimal.Round(amount * Scale, 0, MidpointRounding.AwayFromZero);

    public static decimal FromStorage(long stored) => stored / Scale;

    public static decimal? FromStorage(long? stored) => stored is { } s ? s / Scale : null;
}
