namespace Rapport.Engine.Segments;

/// <summary>What a field holds. <see cref="Any"/> is a trait: text that may read as a number or a boolean.</summary>
public enum FieldType
{
    Number,
    Text,
    Boolean,
    Any,
}

/// <summary>One field a definition may compare. Min/Max bound the values it can take (percentiles are 0..1).</summary>
public sealed record FieldSpec(string Name, FieldType Type, string Description, double? Min = null, double? Max = null, bool WholeNumber = false);

/// <summary>
/// A family of fields: fixed (<c>value.revenue</c>, <c>prediction.p_alive</c>) or keyed, where
/// any key is a field of the same spec (<c>traits.X</c>; later <c>affinity.Lamps</c>).
/// </summary>
public sealed record FieldFamily(string Name, string Description, IReadOnlyList<FieldSpec> Fields, FieldSpec? AnyKey = null)
{
    public bool IsKeyed => AnyKey is not null;
}

/// <summary>
/// The fields definitions may use. To add a family (needs, say): add a <see cref="FieldFamily"/>
/// to <see cref="Default"/> and, in Rapport.Core, an ICustomerFactSource that fills it.
/// </summary>
public sealed class SegmentFields
{
    public static readonly FieldFamily Traits = new(
        "traits",
        "What customers told us (identify traits): traits.email, traits.plan, traits.\"first name\"",
        [],
        new FieldSpec("*", FieldType.Any, "A trait; text that compares as a number when it reads as one"));

    /// <summary>Customer value, kept by the value engine (customer_value). Money in currency units.</summary>
    public static readonly FieldFamily Value = new(
        "value",
        "Value the customer brought (revenue, margin, orders, RFM, tier, Pareto position)",
        [
            new("revenue", FieldType.Number, "Revenue net of returns, in currency units"),
            new("margin", FieldType.Number, "Gross margin: revenue minus cost of goods, discounts, returns, rewards and service"),
            new("cost", FieldType.Number, "Cost of goods sold"),
            new("discount", FieldType.Number, "Discounts given"),
            new("orders", FieldType.Number, "Number of orders", Min: 0, WholeNumber: true),
            new("returns", FieldType.Number, "Number of returns", Min: 0, WholeNumber: true),
            new("aov", FieldType.Number, "Average order value"),
            new("rfm_r", FieldType.Number, "Recency score, 1 (long ago) to 5 (recent)", 1, 5, WholeNumber: true),
            new("rfm_f", FieldType.Number, "Frequency score, 1 to 5", 1, 5, WholeNumber: true),
            new("rfm_m", FieldType.Number, "Monetary score, 1 to 5", 1, 5, WholeNumber: true),
            new("tier", FieldType.Text, "Value tier name"),
            new("revenue_percentile", FieldType.Number, "Position by revenue, 0 to 1 (1 = most valuable; >= 0.8 is the top 20%)", 0, 1),
            new("margin_percentile", FieldType.Number, "Position by margin, 0 to 1 (1 = most valuable)", 0, 1),
        ]);

    /// <summary>Predictions of the current fitted lifetime-value model (customer_predictions).</summary>
    public static readonly FieldFamily Prediction = new(
        "prediction",
        "Predicted future value of the current fitted model (BG/NBD or Pareto/NBD + Gamma-Gamma)",
        [
            new("p_alive", FieldType.Number, "Probability the customer is still active, 0 to 1", 0, 1),
            new("expected_purchases", FieldType.Number, "Expected purchases over the model's horizon", Min: 0),
            new("expected_spend", FieldType.Number, "Expected spend per order, in currency units", Min: 0),
            new("clv", FieldType.Number, "Customer lifetime value over the horizon, in currency units"),
            new("clv_percentile", FieldType.Number, "Position by CLV, 0 to 1 (1 = most valuable; >= 0.8 is the top 20%)", 0, 1),
        ]);

    private readonly Dictionary<string, FieldFamily> _families;

    public SegmentFields(IEnumerable<FieldFamily> families)
    {
        _families = families.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>Customer needs, kept by the needs engine (customer_needs, customer_affinity, customer_channels; docs/needs.md).</summary>
    public static readonly FieldFamily Needs = new(
        "needs",
        "What the customer needs: category affinity, price sensitivity, channel preference, stated values, needs-based cluster",
        [
            new("affinity.*", FieldType.Number, "needs.affinity.CATEGORY: affinity for a product category, 0 to 1 (time-decayed share of views and spend)", 0, 1),
            new("channel.*", FieldType.Number, "needs.channel.CHANNEL: share of interactions and purchases on web, app, store, phone, email or chat, 0 to 1", 0, 1),
            new("price_sensitivity", FieldType.Number, "Price sensitivity, 0 (never on discount) to 1 (always on discount, answers every offer)", 0, 1),
            new("discount_share", FieldType.Number, "Share of revenue bought on discount, 0 to 1", 0, 1),
            new("offer_response", FieldType.Number, "Offers taken up / offers shown, 0 to 1", 0, 1),
            new("top_category", FieldType.Text, "The category with the highest affinity"),
            new("values_most", FieldType.Text, "What the customer said they value most: quality, convenience, discounts or perks"),
            new("cluster", FieldType.Text, "Label of the customer's needs-based cluster, e.g. \"Discount-driven web shoppers\""),
            new("cluster_id", FieldType.Number, "Index of the customer's cluster in the current model", Min: 0, WholeNumber: true),
        ]);

    public static SegmentFields Default { get; } = new([Traits, Value, Prediction, Needs]);

    public IEnumerable<FieldFamily> Families => _families.Values;

    /// <summary>This catalog plus (or with a replaced) family.</summary>
    public SegmentFields With(FieldFamily family) =>
        new(_families.Values.Where(f => f.Name != family.Name).Append(family));

    /// <summary>Splits "family.key" at the first dot.</summary>
    public static (string Family, string Key) Split(string field)
    {
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (field, "") : (field[..dot], field[(dot + 1)..]);
    }

    /// <summary>The spec of "family.key", or why there is none (with a suggestion).</summary>
    public FieldSpec? Resolve(string field, out string? error)
    {
        var (familyName, key) = Split(field);
        error = null;
        if (!_families.TryGetValue(familyName, out var family))
        {
            error = key.Length == 0 && _families.Values.SelectMany(f => f.Fields).FirstOrDefault(f => f.Name == familyName) is { } bare
                ? $"unknown field '{field}'; fields are written family.name, e.g. {FamilyOf(bare)}.{bare.Name}"
                : $"unknown field '{field}'; a field starts with one of: {string.Join(", ", _families.Keys.Order(StringComparer.Ordinal).Select(k => k + "."))}";
            return null;
        }

        if (key.Length == 0)
        {
            error = family.IsKeyed
                ? $"'{field}' needs a name after the dot, e.g. {family.Name}.plan"
                : $"'{field}' needs a field name after the dot: {Names(family)}";
            return null;
        }

        if (family.AnyKey is { } any)
        {
            return any with { Name = key };
        }

        if (family.Fields.FirstOrDefault(f => f.Name == key) is { } spec)
        {
            return spec;
        }

        // Keyed fields inside a family: "affinity.*" accepts needs.affinity.Lamps, needs.affinity."Home Decor".
        foreach (var keyed in family.Fields.Where(f => f.Name.EndsWith(".*", StringComparison.Ordinal)))
        {
            var prefix = keyed.Name[..^1];
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length)
            {
                return keyed with { Name = key };
            }

            if (key == prefix[..^1])
            {
                error = $"'{field}' needs a name after '{key}.': {family.Name}.{key}.NAME ({keyed.Description})";
                return null;
            }
        }

        var suggestion = Closest(key, family.Fields.Select(f => f.Name));
        error = $"unknown field '{field}'{(suggestion is null ? "" : $"; did you mean '{family.Name}.{suggestion}'?")} {family.Name} fields: {Names(family)}";
        return null;
    }

    private string FamilyOf(FieldSpec spec) => _families.Values.First(f => f.Fields.Contains(spec)).Name;

    private static string Names(FieldFamily family) => string.Join(", ", family.Fields.Select(f => f.Name));

    private static string? Closest(string key, IEnumerable<string> names)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in names)
        {
            var d = Distance(key.ToLowerInvariant(), name);
            if (d < bestDistance)
            {
                (best, bestDistance) = (name, d);
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance; names are short.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
