using Rapport.Core.Commerce;
using Rapport.Core.Events;

namespace Rapport.Core.Loyalty;

/// <summary>
/// The money loyalty and donations read from order events, one rule for both so points and
/// donations never disagree about what an order was worth.
/// </summary>
internal static class OrderAmounts
{
    /// <summary>Order Completed: total, else revenue, else the lines less the discount.</summary>
    public static decimal Total(IncomingEvent e) =>
        CommerceProperties.Number(e, "total") ?? CommerceProperties.Number(e, "revenue")
        ?? (CommerceProperties.Products(e).Sum(l => (l.Price ?? 0) * l.Quantity) - (CommerceProperties.Number(e, "discount") ?? 0));

    /// <summary>The part of <paramref name="total"/> paid with points (property paid_with_points), never negative nor more than the total.</summary>
    public static decimal PaidWithPoints(IncomingEvent e, decimal total) =>
        Math.Clamp(CommerceProperties.Number(e, "paid_with_points") ?? 0, 0, Math.Max(0, total));

    /// <summary>Order Refunded: total, else revenue, else the refunded lines; null when nothing positive is given (the whole order).</summary>
    public static decimal? Refunded(IncomingEvent e)
    {
        var refunded = CommerceProperties.Number(e, "total") ?? CommerceProperties.Number(e, "revenue")
            ?? CommerceProperties.Products(e).Sum(p => (p.Price ?? 0) * p.Quantity);
        return refunded > 0 ? refunded : null;
    }
}
