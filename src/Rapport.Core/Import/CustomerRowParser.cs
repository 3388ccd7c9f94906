using Rapport.Engine.Identity;

namespace Rapport.Core.Import;

/// <summary>
/// One customer row as the traits of an identify call: <see cref="UserId"/> is the call's
/// userId, <see cref="Traits"/> holds the other identifiers under Segment's trait names
/// (email, phone, loyaltyCard, storeCustomerNumber) and every other column.
/// <see cref="Identifiers"/> are the normalised identifiers, strongest first.
/// </summary>
public sealed record CustomerRow(
    long SourceLine, string? UserId, IReadOnlyList<Identifier> Identifiers, IReadOnlyList<KeyValuePair<string, string>> Traits);

/// <summary>
/// Maps CSV records to customers. Identifier columns are recognised by name (email, phone,
/// customer_no, loyalty_card, user_id); every other column is a trait named after its header
/// in camelCase as Segment names traits ("First Name" → firstName). <c>--map trait=Column</c>
/// names a trait explicitly, <c>--map trait=</c> leaves a column out.
/// </summary>
public sealed class CustomerRowParser
{
    public static readonly IReadOnlyList<ImportField> Fields =
    [
        new("user_id", false, "userid"),
        new("email", false, "email_address", "e_mail", "customer_email"),
        new("phone", false, "phone_number", "telephone", "mobile"),
        new("loyalty_card", false, "loyalty_card_no", "loyalty_card_number", "card_no", "card_number"),
        new("customer_no", false, "customer_id", "customer_number", "store_customer_no", "store_customer_number", "client_id", "account_no"),
    ];

    /// <summary>Identifier target → kind and the trait an identify call carries it in (null: the userId field).</summary>
    private static readonly Dictionary<string, (string Kind, string? Trait)> IdentifierTraits = new(StringComparer.Ordinal)
    {
        ["user_id"] = (Identifier.UserId, null),
        ["email"] = (Identifier.Email, "email"),
        ["phone"] = (Identifier.Phone, "phone"),
        ["loyalty_card"] = (Identifier.LoyaltyCard, "loyaltyCard"),
        ["customer_no"] = (Identifier.StoreCustomerNo, "storeCustomerNumber"),
    };

    private readonly (int Index, string Target, string Kind, string? Trait)[] _identifiers;
    private readonly (int Index, string Name)[] _traits;

    public CustomerRowParser(ColumnMap map, IReadOnlyDictionary<string, string> overrides)
    {
        _identifiers = OrderLineParser.IdentifierTargets
            .Where(t => map.Has(t.Target))
            .Select(t => (map.IndexOf(t.Target), t.Target, t.Kind, IdentifierTraits[t.Target].Trait))
            .ToArray();
        if (_identifiers.Length == 0)
        {
            throw new ImportInputException(
                $"No customer identifier column (looked for {string.Join(", ", Fields.SelectMany(f => f.Aliases.Prepend(f.Target)))}). " +
                $"Columns found: {string.Join(", ", map.Header)}. Map one with --map email=COLUMN (or phone, customer_no, loyalty_card, user_id).");
        }

        var taken = _identifiers.Select(i => i.Index).ToHashSet();
        var names = _identifiers.Where(i => i.Trait is not null).Select(i => i.Trait!).ToHashSet(StringComparer.Ordinal);
        var traits = new List<(int Index, string Name)>();
        foreach (var (target, index) in map.Columns)
        {
            var name = ColumnMap.CamelCase(target);
            if (!IdentifierTraits.ContainsKey(target) && name.Length > 0 && taken.Add(index) && names.Add(name))
            {
                traits.Add((index, name));
            }
        }

        var off = overrides.Where(o => o.Value.Length == 0).Select(o => ColumnMap.CamelCase(o.Key)).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < map.Header.Count; i++)
        {
            var name = ColumnMap.CamelCase(map.Header[i]);
            if (name.Length > 0 && !off.Contains(name) && !taken.Contains(i) && names.Add(name))
            {
                traits.Add((i, name));
            }
        }

        _traits = traits.OrderBy(t => t.Index).ToArray();
    }

    /// <summary>Every trait a row can carry, identifier traits first.</summary>
    public IReadOnlyList<string> TraitNames =>
        _identifiers.Where(i => i.Trait is not null).Select(i => i.Trait!).Concat(_traits.Select(t => t.Name)).ToArray();

    /// <summary>Identifier targets and their column indexes.</summary>
    public IReadOnlyList<(string Target, int Index)> Identifiers => _identifiers.Select(i => (i.Target, i.Index)).ToArray();

    public static CustomerRowParser Create(IReadOnlyList<string> header, IReadOnlyDictionary<string, string> map) =>
        new(ColumnMap.Resolve("customers", header, Fields, map, openTargets: true), map);

    public Parsed<CustomerRow> Parse(CsvRecord record)
    {
        var f = record.Fields;
        var ids = new List<Identifier>(_identifiers.Length);
        var traits = new List<KeyValuePair<string, string>>(_identifiers.Length + _traits.Length);
        string? userId = null;
        foreach (var (index, _, kind, trait) in _identifiers)
        {
            var raw = f[index].Trim();
            if (raw.Length == 0)
            {
                continue;
            }

            if (ValueParser.TryNormalizeIdentifier(kind, raw, out var value) is { } bad)
            {
                return Parsed<CustomerRow>.Refuse(bad);
            }

            ids.Add(new Identifier(kind, value));
            var stored = kind == Identifier.StoreCustomerNo ? value : raw;
            if (trait is null)
            {
                userId = stored;
            }
            else
            {
                traits.Add(new(trait, stored));
            }
        }

        if (ids.Count == 0)
        {
            return Parsed<CustomerRow>.Refuse("missing key: no customer identifier (email, phone, customer_no, loyalty_card or user_id)");
        }

        foreach (var (index, name) in _traits)
        {
            var value = f[index].Trim();
            if (value.Length > 0)
            {
                traits.Add(new(name, value));
            }
        }

        ids.Sort();
        return new CustomerRow(record.Line, userId, ids.Distinct().ToList(), traits);
    }
}
