using Rapport.Engine.Identity;

namespace Rapport.Core.Import;

/// <summary>
/// One order line read from a file. Its key is (order id, line number), the line number being
/// the row's position among its order's rows in the file, so a re-run finds the same keys.
/// Money is in 1/10,000 units (see Storage.Money).
/// </summary>
public sealed record OrderLine(
    long SourceLine,
    string OrderId,
    int LineNo,
    string Sku,
    long Quantity,
    long UnitPriceE4,
    long DiscountE4,
    long PlacedAt,
    string? IdKind,
    string? IdValue,
    string? Country,
    string? Currency,
    string Channel,
    bool IsReturn,
    string? Description)
{
    /// <summary>quantity × unit price − discount, in 1/10,000 units.</summary>
    public long TotalE4 => (Quantity * UnitPriceE4) - DiscountE4;
}

/// <summary>
/// Maps CSV records to <see cref="OrderLine"/>s. Pure apart from the per-order line counter:
/// every row naming an order takes the next line number of that order, rejected or not, so
/// fixing a rejected row and importing the file again gives it the number it would have had.
/// </summary>
public sealed class OrderLineParser
{
    /// <summary>Customer identifier columns, strongest first, and the identifier kind each holds.</summary>
    public static readonly IReadOnlyList<(string Target, string Kind)> IdentifierTargets =
    [
        ("user_id", Identifier.UserId),
        ("email", Identifier.Email),
        ("phone", Identifier.Phone),
        ("loyalty_card", Identifier.LoyaltyCard),
        ("customer_no", Identifier.StoreCustomerNo),
    ];

    public static readonly IReadOnlyList<ImportField> Fields =
    [
        new("order_id", true, "order", "order_no", "order_number", "invoice", "invoice_no", "invoice_number", "invoice_id", "transaction_id"),
        new("sku", true, "stock_code", "product_id", "product_sku", "product_code", "item_id", "item_code", "item_sku", "article_no"),
        new("quantity", true, "qty", "units", "quantity_ordered"),
        new("unit_price", true, "price", "item_price", "price_each"),
        new("placed_at", true, "order_date", "date", "invoice_date", "ordered_at", "purchased_at", "created_at", "timestamp", "datetime"),
        new("description", false, "product_name", "item_name", "title"),
        new("discount", false, "line_discount", "discount_amount"),
        new("user_id", false, "userid"),
        new("email", false, "customer_email", "email_address", "e_mail"),
        new("phone", false, "phone_number", "telephone", "mobile"),
        new("loyalty_card", false, "loyalty_card_no", "loyalty_card_number", "card_no", "card_number"),
        new("customer_no", false, "customer_id", "customer_number", "store_customer_no", "client_id", "account_no"),
        new("country", false, "country_code"),
        new("currency", false, "currency_code"),
        new("channel", false, "sales_channel"),
        new("kind", false, "order_kind", "order_type"),
    ];

    private readonly ColumnMap _map;
    private readonly ValueParser _values;
    private readonly string _channel;
    private readonly string? _currency;
    private readonly string? _returnPrefix;
    private readonly Dictionary<string, int> _lineCounters = new(StringComparer.Ordinal);
    private readonly (int Index, string Kind)[] _identifiers;

    public OrderLineParser(ColumnMap map, ValueParser values, string channel, string? currency, string? returnPrefix)
    {
        _map = map;
        _values = values;
        _channel = channel;
        _currency = currency?.ToUpperInvariant();
        _returnPrefix = returnPrefix;
        _identifiers = IdentifierTargets.Where(t => map.Has(t.Target)).Select(t => (map.IndexOf(t.Target), t.Kind)).ToArray();
    }

    public ColumnMap Map => _map;

    public static OrderLineParser Create(
        IReadOnlyList<string> header, IReadOnlyDictionary<string, string> map, ImportOptions options, ImportFormat? format, ValueParser values) =>
        new(
            ColumnMap.Resolve("orders", header, Fields, map),
            values,
            options.Channel ?? format?.Channel ?? "store",
            options.Currency ?? format?.Currency,
            format?.ReturnPrefix);

    public Parsed<OrderLine> Parse(CsvRecord record)
    {
        var f = record.Fields;
        var orderId = _map.Get(f, "order_id");
        if (orderId is null)
        {
            return Parsed<OrderLine>.Refuse("missing order_id");
        }

        ref var counter = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lineCounters, orderId, out _);
        var lineNo = ++counter;

        var sku = _map.Get(f, "sku");
        if (sku is null)
        {
            return Parsed<OrderLine>.Refuse("missing sku");
        }

        var quantityText = _map.Get(f, "quantity");
        if (quantityText is null)
        {
            return Parsed<OrderLine>.Refuse("missing quantity");
        }

        if (ValueParser.TryParseQuantity(quantityText, out var quantity) is { } badQuantity)
        {
            return Parsed<OrderLine>.Refuse(badQuantity);
        }

        var priceText = _map.Get(f, "unit_price");
        if (priceText is null)
        {
            return Parsed<OrderLine>.Refuse("missing unit_price");
        }

        if (ValueParser.TryParseMoney(priceText, "unit_price", out var price) is { } badPrice)
        {
            return Parsed<OrderLine>.Refuse(badPrice);
        }

        long discountE4 = 0;
        if (_map.Get(f, "discount") is { } discountText)
        {
            if (ValueParser.TryParseMoney(discountText, "discount", out var discount) is { } badDiscount)
            {
                return Parsed<OrderLine>.Refuse(badDiscount);
            }

            discountE4 = Storage.Money.ToStorage(discount);
        }

        var dateText = _map.Get(f, "placed_at");
        if (dateText is null)
        {
            return Parsed<OrderLine>.Refuse("missing placed_at");
        }

        if (_values.TryParseTimestamp(dateText, "placed_at", out var placedAt) is { } badDate)
        {
            return Parsed<OrderLine>.Refuse(badDate);
        }

        var priceE4 = Storage.Money.ToStorage(price);
        var total = Math.BigMul(quantity, priceE4);
        if (total > long.MaxValue / 4 || total < long.MinValue / 4)
        {
            return Parsed<OrderLine>.Refuse($"quantity × unit_price ({quantityText} × {priceText}) is too large");
        }

        string? idKind = null, idValue = null;
        foreach (var (index, kind) in _identifiers)
        {
            var raw = f[index].Trim();
            if (raw.Length == 0)
            {
                continue;
            }

            if (ValueParser.TryNormalizeIdentifier(kind, raw, out var value) is { } badId)
            {
                return Parsed<OrderLine>.Refuse(badId);
            }

            (idKind, idValue) = (kind, value);
            break;
        }

        var channel = _channel;
        if (_map.Get(f, "channel") is { } channelText)
        {
            channel = channelText.ToLowerInvariant();
            if (!Events.Channels.IsKnown(channel))
            {
                return Parsed<OrderLine>.Refuse($"channel '{channelText}' is not one of {string.Join(", ", Events.Channels.All)}");
            }
        }

        bool isReturn;
        if (_map.Get(f, "kind") is { } kindText)
        {
            switch (kindText.ToLowerInvariant())
            {
                case "sale" or "order" or "purchase":
                    isReturn = false;
                    break;
                case "return" or "refund" or "cancellation" or "cancelled" or "canceled" or "credit":
                    isReturn = true;
                    break;
                default:
                    return Parsed<OrderLine>.Refuse($"kind '{kindText}' is neither sale nor return");
            }
        }
        else
        {
            isReturn = _returnPrefix is { } prefix ? orderId.StartsWith(prefix, StringComparison.Ordinal) : quantity < 0;
        }

        return new OrderLine(
            record.Line,
            orderId,
            lineNo,
            sku,
            quantity,
            priceE4,
            discountE4,
            placedAt,
            idKind,
            idValue,
            _map.Get(f, "country"),
            _map.Get(f, "currency")?.ToUpperInvariant() ?? _currency,
            channel,
            isReturn,
            _map.Get(f, "description"));
    }
}
