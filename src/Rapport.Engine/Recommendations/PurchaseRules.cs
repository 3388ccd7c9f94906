namespace Rapport.Engine.Recommendations;

/// <summary>
/// The rules every recommendation obeys: only buyable items (known to the catalogue and
/// available); nothing the customer already bought unless the item is one people buy again
/// (its repeat rate reaches the threshold: groceries yes, a sofa no); nothing on the request's
/// exclude list.
/// </summary>
public sealed class PurchaseRules(bool[] buyable, float[] repeatRate, float repeatThreshold = 0.2f)
{
    public float RepeatThreshold => repeatThreshold;

    public bool IsBuyable(int item) => (uint)item < (uint)buyable.Length && buyable[item];

    public bool IsRepeatItem(int item) => repeatRate[item] >= repeatThreshold;

    public float RepeatRate(int item) => repeatRate[item];

    /// <summary>The gate for one request.</summary>
    public Func<int, bool> Gate(IReadOnlySet<int> bought, IReadOnlySet<int> exclude) =>
        item => IsBuyable(item) && !exclude.Contains(item) && (!bought.Contains(item) || IsRepeatItem(item));

    /// <summary>
    /// Per item, the share of its buyers who bought it on at least two different days. Items
    /// nobody bought get 0. <paramref name="purchases"/> are (user, item, day number).
    /// </summary>
    public static float[] RepeatRates(ReadOnlySpan<(int User, int Item, long Day)> purchases, int items)
    {
        var sorted = purchases.ToArray();
        Array.Sort(sorted);
        var buyers = new int[items];
        var repeaters = new int[items];
        int n = 0;
        while (n < sorted.Length)
        {
            var (user, item, day) = sorted[n];
            int days = 1;
            int m = n + 1;
            for (; m < sorted.Length && sorted[m].User == user && sorted[m].Item == item; m++)
            {
                if (sorted[m].Day != day)
                {
                    days++;
                    day = sorted[m].Day;
                }
            }

            buyers[item]++;
            if (days >= 2)
            {
                repeaters[item]++;
            }

            n = m;
        }

        var rates = new float[items];
        for (int i = 0; i < items; i++)
        {
            rates[i] = buyers[i] == 0 ? 0 : (float)repeaters[i] / buyers[i];
        }

        return rates;
    }
}
