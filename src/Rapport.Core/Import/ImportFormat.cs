namespace Rapport.Core.Import;

/// <summary>
/// A named file layout: its column map and the conventions that go with it. Detected from the
/// header when every one of its columns is present, or chosen with <c>--format NAME</c>.
/// </summary>
public sealed record ImportFormat(
    string Name,
    ImportKind Kind,
    IReadOnlyDictionary<string, string> Map,
    IReadOnlyList<string> DateFormats,
    string? Channel,
    string? Currency,
    decimal? UnitCostRatio,
    string? ReturnPrefix)
{
    /// <summary>
    /// UCI Online Retail (data set #352; Chen, Sain &amp; Guo 2012; CC BY 4.0): a UK online gift
    /// retailer, prices in GBP, invoices starting with 'C' are cancellations, CustomerID written
    /// as a float. Dates as in the CSV copies (ISO) and as Excel exports them (M/d/yyyy H:mm).
    /// No unit cost is given: 60% of the price is assumed (docs/commerce.md).
    /// </summary>
    public static readonly ImportFormat OnlineRetail = new(
        "online-retail",
        ImportKind.Orders,
        new Dictionary<string, string>
        {
            ["order_id"] = "InvoiceNo",
            ["sku"] = "StockCode",
            ["description"] = "Description",
            ["quantity"] = "Quantity",
            ["placed_at"] = "InvoiceDate",
            ["unit_price"] = "UnitPrice",
            ["customer_no"] = "CustomerID",
            ["country"] = "Country",
        },
        ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss", "M/d/yy H:mm"],
        Channel: "web",
        Currency: "GBP",
        UnitCostRatio: 0.6m,
        ReturnPrefix: "C");

    public static IReadOnlyList<ImportFormat> All { get; } = [OnlineRetail];

    public static ImportFormat? Find(string name) =>
        All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The format whose columns are all in <paramref name="header"/>, if any.</summary>
    public static ImportFormat? Detect(ImportKind kind, IReadOnlyList<string> header)
    {
        var keys = header.Select(ColumnMap.Key).ToHashSet(StringComparer.Ordinal);
        return All.FirstOrDefault(f => f.Kind == kind && f.Map.Values.All(c => keys.Contains(ColumnMap.Key(c))));
    }
}
