namespace Rapport.Engine.Analytics;

/// <summary>How many customers did exactly this combination of funnel steps in the period: bit k set = did step k.</summary>
public readonly record struct StepCombination(int Steps, long Customers);

/// <summary>
/// One funnel step. <paramref name="Reached"/>: customers who did this step and every earlier one
/// in the period; <paramref name="Did"/>: customers who did this step at all (an order from a
/// store never viewed a product on the web). Conversion is from the previous step and from the first.
/// </summary>
public sealed record FunnelStep(string Name, long Reached, long Did, double? FromPrevious, double? FromFirst);

/// <summary>
/// The funnel and the cart-abandonment rate: the share of customers who added a product to the
/// cart in the period and did not complete an order in it.
/// </summary>
public sealed record FunnelResult(IReadOnlyList<FunnelStep> Steps, long AddedToCart, long AddedAndOrdered, double? CartAbandonmentRate);

/// <summary>
/// Builds the funnel from the step combinations the store counted (SQL groups customers by the
/// steps they did, so at most 2^steps rows reach this code whatever the number of customers).
/// Steps are counted per customer, not per session, and their order inside the period is not
/// checked: a customer who viewed after adding still reached both.
/// </summary>
public static class Funnel
{
    public const string Viewed = "Product Viewed";
    public const string Added = "Product Added";
    public const string CheckoutStarted = "Checkout Started";
    public const string Ordered = "Order Completed";

    public static readonly IReadOnlyList<string> Steps = [Viewed, Added, CheckoutStarted, Ordered];

    public static FunnelResult Build(IReadOnlyList<string> steps, IEnumerable<StepCombination> combinations)
    {
        var rows = combinations.ToList();
        var cart = IndexOf(steps, Added);
        var order = IndexOf(steps, Ordered);
        var result = new List<FunnelStep>(steps.Count);
        for (int k = 0; k < steps.Count; k++)
        {
            var all = (1 << (k + 1)) - 1;
            var bit = 1 << k;
            var reached = rows.Where(r => (r.Steps & all) == all).Sum(r => r.Customers);
            var did = rows.Where(r => (r.Steps & bit) != 0).Sum(r => r.Customers);
            double? fromPrevious = k == 0 ? null : Share(reached, result[k - 1].Reached);
            double? fromFirst = k == 0 ? null : Share(reached, result[0].Reached);
            result.Add(new FunnelStep(steps[k], reached, did, fromPrevious, fromFirst));
        }

        long added = 0, addedAndOrdered = 0;
        if (cart >= 0 && order >= 0)
        {
            added = rows.Where(r => (r.Steps & (1 << cart)) != 0).Sum(r => r.Customers);
            addedAndOrdered = rows.Where(r => (r.Steps & (1 << cart)) != 0 && (r.Steps & (1 << order)) != 0).Sum(r => r.Customers);
        }

        return new FunnelResult(result, added, addedAndOrdered, added == 0 ? null : 1 - ((double)addedAndOrdered / added));
    }

    private static int IndexOf(IReadOnlyList<string> steps, string name)
    {
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static double? Share(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
