namespace Rapport.Engine.Clv;

/// <summary>
/// The sufficient statistics of one customer under the calibration/holdout protocol, in weeks.
/// </summary>
/// <param name="CustomerId">The customer.</param>
/// <param name="FirstPurchase">Day of the first purchase (the customer's "birth"); it is not a repeat purchase.</param>
/// <param name="Frequency">x: number of repeat purchase days in the calibration period.</param>
/// <param name="Recency">t_x: weeks from the first purchase to the last repeat purchase (0 when x = 0).</param>
/// <param name="Age">T: weeks from the first purchase to the end of the calibration period.</param>
/// <param name="MeanRepeatValue">Mean amount of the repeat purchases in calibration (0 when x = 0);
/// the Gamma-Gamma input as defined by Fader, Hardie and Lee (2005), first purchase excluded.</param>
/// <param name="HoldoutFrequency">Repeat purchase days in the holdout period (0 without a holdout).</param>
public sealed record CustomerSummary(
    string CustomerId,
    DateOnly FirstPurchase,
    int Frequency,
    double Recency,
    double Age,
    double MeanRepeatValue,
    int HoldoutFrequency);
