using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Messaging;

/// <summary>What a template can say about one customer, as read from the store.</summary>
internal sealed record ComposeCustomer(long Id, IReadOnlyList<(string Name, string Value)> Traits, string? Email, string? Phone, ComposeValue? Value);

internal sealed record ComposeValue(string? Tier, decimal Revenue, long Orders);

/// <summary>
/// The customer data and templates for composing many messages at once (a journey's batch of
/// due steps): read with one query per kind of data (live customers, traits, addresses, value)
/// for the whole batch instead of a connection and five queries per customer. Templates are
/// read once per batch. Customers not in the batch (merged, unknown) are unknown to the composer.
/// </summary>
public sealed class ComposeBatch
{
    private readonly Dictionary<long, ComposeCustomer> _customers;
    private readonly Dictionary<string, MessageTemplateView?> _templates = new(StringComparer.Ordinal);

    private ComposeBatch(Dictionary<long, ComposeCustomer> customers) => _customers = customers;

    internal ComposeCustomer? Customer(long id) => _customers.GetValueOrDefault(id);

    internal async Task<MessageTemplateView?> TemplateAsync(TemplateStore store, string name, CancellationToken ct)
    {
        if (!_templates.TryGetValue(name, out var template))
        {
            _templates[name] = template = await store.GetAsync(name, ct);
        }

        return template;
    }

    public static async Task<ComposeBatch> LoadAsync(IDatabase database, IReadOnlyCollection<long> customerIds, CancellationToken ct = default)
    {
        var result = new Dictionary<long, ComposeCustomer>();
        if (customerIds.Count == 0)
        {
            return new ComposeBatch(result);
        }

        await using var c = await database.OpenAsync(ct);
        var dialect = database.Dialect;
        var p = new DynamicParameters();
        p.Add("customers", ValueList.Of(dialect, customerIds.Distinct().ToList()));
        var inCustomers = $"IN {ValueList.Sql(dialect, "@customers")}";

        var live = (await c.QueryAsync<long>(new CommandDefinition(
            $"SELECT id FROM customers WHERE id {inCustomers} AND merged_into IS NULL", p, cancellationToken: ct))).ToHashSet();
        var traits = live.ToDictionary(id => id, _ => new List<(string, string)>());
        foreach (var (customer, name, value) in await c.QueryAsync<(long, string, string)>(new CommandDefinition(
                     $"SELECT customer_id, name, value FROM traits WHERE customer_id {inCustomers}", p, cancellationToken: ct)))
        {
            traits.GetValueOrDefault(customer)?.Add((name, value));
        }

        // The most recently seen address of each kind, as the single-customer query picked it. The kind is
        // filtered here, not in SQL: with "kind IN (...)" SQLite searches the (kind, value) key, every email of every customer.
        var addresses = new Dictionary<(long, string), (string Value, long Seen)>();
        foreach (var (customer, kind, value, seen) in await c.QueryAsync<(long, string, string, long)>(new CommandDefinition(
                     $"SELECT customer_id, kind, value, first_seen_at FROM identifiers WHERE customer_id {inCustomers}", p, cancellationToken: ct)))
        {
            if (kind is not (Identifier.Email or Identifier.Phone))
            {
                continue;
            }

            if (!addresses.TryGetValue((customer, kind), out var best) || seen > best.Seen)
            {
                addresses[(customer, kind)] = (value, seen);
            }
        }

        var values = (await c.QueryAsync<(long Customer, string? Tier, long RevenueE4, long Orders)>(new CommandDefinition(
                $"SELECT customer_id, tier, revenue_e4, orders FROM customer_value WHERE customer_id {inCustomers}", p, cancellationToken: ct)))
            .ToDictionary(r => r.Customer, r => new ComposeValue(r.Tier, Money.FromStorage(r.RevenueE4), r.Orders));

        foreach (var id in live)
        {
            result[id] = new ComposeCustomer(
                id, traits[id],
                addresses.TryGetValue((id, Identifier.Email), out var email) ? email.Value : null,
                addresses.TryGetValue((id, Identifier.Phone), out var phone) ? phone.Value : null,
                values.GetValueOrDefault(id));
        }

        return new ComposeBatch(result);
    }

    /// <summary>The template data for a customer: customer (id, email, phone, name, firstName, lastName), traits, value.</summary>
    internal static JsonObject DataFor(ComposeCustomer customer)
    {
        var traits = new JsonObject();
        foreach (var (trait, text) in customer.Traits)
        {
            traits[trait] = text;
        }

        var email = (string?)traits["email"] ?? customer.Email;
        var phone = (string?)traits["phone"] ?? customer.Phone;
        var first = (string?)traits["firstName"] ?? (string?)traits["first_name"];
        var last = (string?)traits["lastName"] ?? (string?)traits["last_name"];
        var name = (string?)traits["name"] ?? string.Join(' ', new[] { first, last }.Where(s => !string.IsNullOrEmpty(s)));
        return new JsonObject
        {
            ["customer"] = new JsonObject
            {
                ["id"] = customer.Id,
                ["email"] = email,
                ["phone"] = phone,
                ["name"] = name.Length > 0 ? name : null,
                ["firstName"] = first ?? (name.Length > 0 ? name.Split(' ')[0] : null),
                ["lastName"] = last,
            },
            ["traits"] = traits,
            ["value"] = customer.Value is not { } v ? null : new JsonObject
            {
                ["tier"] = v.Tier,
                ["revenue"] = v.Revenue,
                ["orders"] = v.Orders,
            },
        };
    }
}
