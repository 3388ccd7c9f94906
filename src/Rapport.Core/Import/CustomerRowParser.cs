using Rapport.Engine.Identity;

namespace Rapport.Core.Import;

/// <summary>One customer row: its identifiers (normalised, strongest first) and traits.</summary>
public sealed record CustomerRow(long SourceLine, IReadOnlyList<Identifier> Identifiers, IReadOnlyList<KeyValuePair<string, string>> Traits);

/// <summary>
/// Maps CSV records to customers. Identifier columns are recognised by name (email, phone,
/// customer_no, loyalty_card, user_id); every other column is a trait named after its header
/// in snake_case ("First Name" → first_name). <c>--map trait=Column</c> names a trait
/// explicitly, <c>--map trait=</c> leaves a column out.
/// </summary>
public sealed class CustomerRowParser
{
    public static readonly IReadOnlyList<ImportField> Fields =
    [
        new("user_id", false, "userid"),
        new("email", false, "email_address", "e_mail", "customer_email"),
        new("phone", false, "phone_number", "telephone", "mobile"),
        new("loyalty_card", false, "loyalty_card_no", "loyalty_card_number", "card_no", "card_number"),
        new("customer_no", false, "customer_id", "customer_number", "store_customer_no", "client_id", "account_no"),
    ];

    private readonly (int Index, string Kind)[] _identifiers;
    private readonly (int Index, string Name)[] _traits;

    public CustomerRowParser(ColumnMap map, IReadOnlyDictionary<string, string> overrides)
    {
        _identifiers = OrderLineParser.IdentifierTargets.Where(t => map.Has(t.Target)).Select(t => (map.IndexOf(t.Target), t.Kind)).ToArray();
        if (_identifiers.Length == 0)
        {
            throw new ImportInputException(
                $"No customer identifier column (looked for {string.Join(", ", Fields.SelectMany(f => f.Aliases.Prepend(f.Target)))}). " +
                $"Columns found: {string.Join(", ", map.Header)}. Map one with --map email=COLUMN (or phone, customer_no, loyalty_card, user_id).");
        }

        var identifierColumns = _identifiers.Select(i => i.Index).ToHashSet();
        var traits = new List<(int Index, string Name)>();
        var explicitColumns = new HashSet<int>();
        foreach (var (target, index) in map.Columns)
        {
            if (!Fields.Any(f => f.Target == target))
            {
                traits.Add((index, target));
                explicitColumns.Add(index);
            }
        }

        var off = overrides.Where(o => o.Value.Length == 0).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < map.Header.Count; i++)
        {
            var name = ColumnMap.SnakeCase(map.Header[i]);
            if (name.Length == 0 || identifierColumns.Contains(i) || explicitColumns.Contains(i) || off.Contains(name)
                || traits.Any(t => t.Name == name))
            {
                continue;
            }

            traits.Add((i, name));
        }

        _traits = traits.OrderBy(t => t.Index).ToArray();
    }

    public IReadOnlyList<string> TraitNames => _traits.Select(t => t.Name).ToArray();

    /// <summary>Identifier targets and their column indexes.</summary>
    public IReadOnlyList<(string Target, int Index)> Identifiers =>
        _identifiers.Select(i => (OrderLineParser.IdentifierTargets.First(t => t.Kind == i.Kind).Target, i.Index)).ToArray();

    public static CustomerRowParser Create(IReadOnlyList<string> header, IReadOnlyDictionary<string, string> map) =>
        new(ColumnMap.Resolve("customers", header, Fields, map, openTargets: true), map);

    public Parsed<CustomerRow> Parse(CsvRecord record)
    {
        var f = record.Fields;
        var ids = new List<Identifier>(_identifiers.Length);
        foreach (var (index, kind) in _identifiers)
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
        }

        if (ids.Count == 0)
        {
            return Parsed<CustomerRow>.Refuse("missing key: no customer identifier (email, phone, customer_no, loyalty_card or user_id)");
        }

        var traits = new List<KeyValuePair<string, string>>(_traits.Length);
        foreach (var (index, name) in _traits)
        {
            var value = f[index].Trim();
            if (value.Length > 0)
            {
                traits.Add(new(name, value));
            }
        }

        ids.Sort();
        return new CustomerRow(record.Line, ids.Distinct().ToList(), traits);
    }
}
