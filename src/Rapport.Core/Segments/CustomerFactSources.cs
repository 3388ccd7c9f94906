using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Segments;

/// <summary>traits.X: the current value of each trait (table traits).</summary>
public sealed class TraitFacts : ICustomerFactSource
{
    public string Family => SegmentFields.Traits.Name;

    public Task LoadAsync(FactRequest request, FactSink sink, CancellationToken cancellationToken)
    {
        var p = new List<(string Name, object? Value)>();
        // A full load scans the table rather than go through ix_traits_search: that index is
        // ordered by (name, value), so every row it finds costs a random lookup of the row for its
        // customer (3M of 3.3M rows at 1M customers: 1.8 s, against 0.6 s for the scan, in the
        // sqlite3 shell). `name || ''` keeps SQLite off the index; given customers, their key
        // drives either way.
        var inNames = SqlList.In(request.Customers is null ? "name || ''" : "name", request.Keys.ToList(), p, "trait");
        var names = new TextInterner(request.Keys); // a trait's name read comes back as its key's own instance
        var values = new FieldTexts();
        FactQueries.Read(
            request,
            $"SELECT customer_id, name, value FROM traits WHERE {inNames} AND {{customers}}",
            "customer_id",
            p,
            r => sink(r.GetInt64(0), names.Get(r.GetUtf8(1)), values.Get(r.GetUtf8(2))),
            cancellationToken);
        return Task.CompletedTask;
    }
}

/// <summary>
/// value.*: one row per customer in customer_value, kept by the value engine. Until that table
/// exists every value field is missing (and comparisons on it are false).
/// </summary>
public sealed class CustomerValueFacts : ICustomerFactSource
{
    private enum Kind
    {
        Number,
        Money,
        Text,
    }

    private static readonly Dictionary<string, (string Column, Kind Kind)> Columns = new(StringComparer.Ordinal)
    {
        ["revenue"] = ("revenue_e4", Kind.Money),
        ["margin"] = ("margin_e4", Kind.Money),
        ["cost"] = ("cost_e4", Kind.Money),
        ["discount"] = ("discount_e4", Kind.Money),
        ["aov"] = ("aov_e4", Kind.Money),
        ["orders"] = ("orders", Kind.Number),
        ["returns"] = ("returns", Kind.Number),
        ["rfm_r"] = ("rfm_r", Kind.Number),
        ["rfm_f"] = ("rfm_f", Kind.Number),
        ["rfm_m"] = ("rfm_m", Kind.Number),
        ["tier"] = ("tier", Kind.Text),
        ["revenue_percentile"] = ("revenue_percentile", Kind.Number),
        ["margin_percentile"] = ("margin_percentile", Kind.Number),
    };

    public string Family => SegmentFields.Value.Name;

    /// <summary>RFM scores, tiers and percentiles are population-relative: each bulk recomputation adds a value_population row.</summary>
    public async Task<string?> VersionAsync(FactRequest request, CancellationToken cancellationToken) =>
        await FactQueries.TableExistsAsync(request, "value_population", cancellationToken)
            ? (await Dapper.SqlMapper.ExecuteScalarAsync<long?>(request.Connection, new Dapper.CommandDefinition(
                "SELECT MAX(id) FROM value_population", transaction: request.Transaction, cancellationToken: cancellationToken)))?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public async Task LoadAsync(FactRequest request, FactSink sink, CancellationToken cancellationToken)
    {
        var keys = request.Keys.Where(Columns.ContainsKey).ToArray();
        if (keys.Length == 0 || !await FactQueries.TableExistsAsync(request, "customer_value", cancellationToken))
        {
            return;
        }

        var columns = string.Join(", ", keys.Select(k => Columns[k].Column));
        var kinds = keys.Select(k => Columns[k].Kind).ToArray(); // looked up once, not per customer and field
        var texts = new FieldTexts();
        FactQueries.Read(
            request,
            $"SELECT customer_id, {columns} FROM customer_value WHERE {{customers}}",
            "customer_id",
            [],
            r =>
            {
                var customer = r.GetInt64(0);
                for (var i = 0; i < keys.Length; i++)
                {
                    var value = kinds[i] switch
                    {
                        Kind.Money => FieldValue.Of(FactQueries.Money(r, i + 1)),
                        Kind.Number => FieldValue.Of(FactQueries.Number(r, i + 1)),
                        _ => r.IsNull(i + 1) ? FieldValue.Missing : texts.Get(r.GetUtf8(i + 1)),
                    };
                    sink(customer, keys[i], value);
                }
            },
            cancellationToken);
    }
}

/// <summary>
/// prediction.*: the rows of customer_predictions for the current model, the latest clv_models
/// row with status 'fitted'. Missing until a model has been fitted.
/// </summary>
public sealed class PredictionFacts : ICustomerFactSource
{
    private static readonly Dictionary<string, (string Column, bool Money)> Columns = new(StringComparer.Ordinal)
    {
        ["p_alive"] = ("p_alive", false),
        ["expected_purchases"] = ("expected_purchases", false),
        ["expected_spend"] = ("expected_spend_e4", true),
        ["clv"] = ("clv_e4", true),
        ["clv_percentile"] = ("clv_percentile", false),
    };

    public string Family => SegmentFields.Prediction.Name;

    /// <summary>The current model's id: a refit changes every prediction.</summary>
    public async Task<string?> VersionAsync(FactRequest request, CancellationToken cancellationToken) =>
        await FactQueries.TableExistsAsync(request, "clv_models", cancellationToken)
            ? (await Dapper.SqlMapper.ExecuteScalarAsync<long?>(request.Connection, new Dapper.CommandDefinition(
                "SELECT MAX(id) FROM clv_models WHERE status = 'fitted'", transaction: request.Transaction, cancellationToken: cancellationToken)))?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public async Task LoadAsync(FactRequest request, FactSink sink, CancellationToken cancellationToken)
    {
        var keys = request.Keys.Where(Columns.ContainsKey).ToArray();
        if (keys.Length == 0
            || !await FactQueries.TableExistsAsync(request, "customer_predictions", cancellationToken)
            || !await FactQueries.TableExistsAsync(request, "clv_models", cancellationToken))
        {
            return;
        }

        var columns = string.Join(", ", keys.Select(k => "p." + Columns[k].Column));
        var money = keys.Select(k => Columns[k].Money).ToArray();
        FactQueries.Read(
            request,
            $$"""
            SELECT p.customer_id, {{columns}} FROM customer_predictions p
            WHERE p.model_id = (SELECT id FROM clv_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1) AND {customers}
            """,
            "p.customer_id",
            [],
            r =>
            {
                var customer = r.GetInt64(0);
                for (var i = 0; i < keys.Length; i++)
                {
                    sink(customer, keys[i], FieldValue.Of(money[i] ? FactQueries.Money(r, i + 1) : FactQueries.Number(r, i + 1)));
                }
            },
            cancellationToken);
    }
}
