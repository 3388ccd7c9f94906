using System.Security.Cryptography;
using System.Text;

namespace Rapport.Engine.Decisioning;

/// <summary>
/// Deterministic random hold-out: a customer is in an action's control group when a hash of
/// (action, customer) falls under the action's share. The same customer stays on the same side
/// of the same action for good (no flip-flopping between requests, channels or nodes), and the
/// sides are independent across actions.
/// </summary>
public static class ControlGroups
{
    public static bool InControl(long actionId, long customer, double share) =>
        InControl(actionId.ToString(System.Globalization.CultureInfo.InvariantCulture), customer, share);

    /// <summary>The same rule for any programme with a control group, named by <paramref name="scope"/> (an action's id, "journey:7").</summary>
    public static bool InControl(string scope, long customer, double share)
    {
        if (share <= 0)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes($"rapport-holdout:{scope}:{customer}"), hash);
        var u = BitConverter.ToUInt64(hash[..8]) / (double)ulong.MaxValue;
        return u < share;
    }
}

/// <summary>Conversion in the treated group against the control group, with a 95% confidence interval of the difference.</summary>
public sealed record Uplift(
    long Treated, long TreatedConverted, double TreatedRate,
    long Control, long ControlConverted, double ControlRate,
    double Difference, double Low, double High)
{
    /// <summary>
    /// Difference of two proportions with the Wald interval (normal approximation,
    /// z = 1.96). With an empty group the rates are 0 and the interval is unbounded (±1).
    /// </summary>
    public static Uplift Compute(long treated, long treatedConverted, long control, long controlConverted)
    {
        var pt = treated > 0 ? (double)treatedConverted / treated : 0;
        var pc = control > 0 ? (double)controlConverted / control : 0;
        var diff = pt - pc;
        if (treated == 0 || control == 0)
        {
            return new(treated, treatedConverted, pt, control, controlConverted, pc, diff, -1, 1);
        }

        var se = Math.Sqrt((pt * (1 - pt) / treated) + (pc * (1 - pc) / control));
        return new(treated, treatedConverted, pt, control, controlConverted, pc, diff, diff - (1.96 * se), diff + (1.96 * se));
    }
}
