namespace Rapport.Core.Events;

/// <summary>
/// The Segment e-commerce spec's event names that Rapport maps onto its commerce model.
/// Other names are custom events: stored and shown on the timeline, not interpreted.
/// </summary>
public static class EcommerceEvents
{
    public const string ProductsSearched = "Products Searched";
    public const string ProductListViewed = "Product List Viewed";
    public const string ProductClicked = "Product Clicked";
    public const string ProductViewed = "Product Viewed";
    public const string ProductAdded = "Product Added";
    public const string ProductRemoved = "Product Removed";
    public const string CartViewed = "Cart Viewed";
    public const string CheckoutStarted = "Checkout Started";
    public const string PaymentInfoEntered = "Payment Info Entered";
    public const string OrderCompleted = "Order Completed";
    public const string OrderUpdated = "Order Updated";
    public const string OrderRefunded = "Order Refunded";
    public const string OrderCancelled = "Order Cancelled";
    public const string ProductReviewed = "Product Reviewed";

    public static readonly IReadOnlyList<string> All =
    [
        ProductsSearched, ProductListViewed, ProductClicked, ProductViewed, ProductAdded, ProductRemoved, CartViewed,
        CheckoutStarted, PaymentInfoEntered, OrderCompleted, OrderUpdated, OrderRefunded, OrderCancelled, ProductReviewed,
    ];

    /// <summary>Events that change the open cart; a cart is rebuilt from exactly these.</summary>
    public static readonly IReadOnlySet<string> CartEvents = new HashSet<string>
    {
        ProductAdded, ProductRemoved, CartViewed, CheckoutStarted, PaymentInfoEntered, OrderCompleted,
    };

    /// <summary>
    /// A name that is a standard e-commerce event spelled differently ("order completed",
    /// "Order_Completed") returns the standard spelling: storing it as a custom event would
    /// silently lose the order, so the collector rejects it with a hint instead.
    /// </summary>
    public static string? MisspelledStandardName(string name)
    {
        if (All.Contains(name))
        {
            return null;
        }

        var squeezed = Squeeze(name);
        return All.FirstOrDefault(n => Squeeze(n) == squeezed);
    }

    private static string Squeeze(string s) =>
        new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
