using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Analytics;
using Rapport.Core.Storage;

namespace Rapport.LoadTests.Dashboard;

/// <summary>
/// What the Needs and Consent pages read, added to the dashboard scenario's store by bulk insert
/// (the needs computation itself is benchmarked elsewhere): a customer_needs row per customer
/// (one of 5 clusters of a fitted model, a price-sensitivity score for 80%, a stated value for
/// 10%), 1-3 category affinities of 40 categories and 1-2 channels each; consent answers for 40%
/// of customers (marketing by email, some by sms, withdrawals, pauses, quiet hours) over 180 days,
/// tied to their email identifiers. Then both reports' first computations are timed.
/// </summary>
internal static class PopulationSeed
{
    private static readonly string[] Values = ["quality", "convenience", "discounts", "perks"];
    private static readonly string[] Channels = ["web", "app", "store", "phone", "email", "chat"];

    public static async Task<long> SeedAsync(BulkStore store)
    {
        var random = new Random(13);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var customers = (await store.Connection.QueryAsync<(long Id, string Email)>("SELECT customer_id, value FROM identifiers WHERE kind = 'email' ORDER BY customer_id")).ToList();

        var clusters = string.Join(",", Enumerable.Range(0, 5).Select(k =>
            string.Create(CultureInfo.InvariantCulture, $$"""{"index":{{k}},"label":"Bench cluster {{k}}","centroid":[{{string.Join(",", Enumerable.Range(0, 10).Select(f => ((k + f) % 5 / 5.0).ToString(CultureInfo.InvariantCulture)))}}],"sizeAtFit":0}""")));
        var model = await store.Connection.ExecuteScalarAsync<long>(
            "INSERT INTO needs_models (status, k, k_chosen, silhouette, customers, seed, clusters, fitted_at) VALUES ('fitted', 5, 0, 0.4, @n, 42, @clusters, @now) RETURNING id",
            new { n = customers.Count, clusters = "[" + clusters + "]", now });
        await store.InsertAsync("customer_needs",
            ["customer_id", "price_sensitivity", "units", "discounted_units", "revenue_e4", "discounted_revenue_e4", "offers_shown", "offers_accepted", "coupons_applied",
             "digital_share", "store_share", "assisted_share", "orders", "focus", "top_category", "values_most", "interests", "cluster_model_id", "cluster", "fingerprint", "updated_at"],
            customers.Select(x => new object?[]
            {
                x.Id, random.NextDouble() < 0.8 ? random.NextDouble() : null, 10L, 2L, 1000000L, 200000L, 0L, 0L, 0L, 0.6, 0.3, 0.1, 5L, random.NextDouble(),
                $"Category {random.Next(40)}", random.NextDouble() < 0.1 ? Values[random.Next(4)] : null, random.NextDouble() < 0.05 ? "[\"tea\",\"garden\"]" : null,
                model, (long)random.Next(5), x.Id, now,
            }));
        await store.InsertAsync("customer_affinity", ["customer_id", "category", "view_share", "spend_share", "affinity"],
            customers.SelectMany(x => Enumerable.Range(0, 1 + random.Next(3)).Select(k => new object?[] { x.Id, $"Category {(x.Id + (k * 7)) % 40}", 0.5, 0.5, random.NextDouble() })));
        await store.InsertAsync("customer_channels", ["customer_id", "channel", "interactions", "purchases", "interaction_share", "purchase_share"],
            customers.SelectMany(x => Enumerable.Range(0, 1 + random.Next(2)).Select(k => new object?[] { x.Id, Channels[(int)((x.Id + k) % 6)], 3L, 1L, random.NextDouble(), random.NextDouble() })));

        var rows = new List<object?[]>();
        foreach (var (_, email) in customers.Where(_ => random.NextDouble() < 0.4))
        {
            var at = now - (long)(random.NextDouble() * 180 * 86_400_000);
            void Add(string item, string value, string source, long when) => rows.Add(["email", email, item, value, source, $"bench-{rows.Count}", when, when]);
            Add("marketing.email", random.NextDouble() < 0.7 ? "granted" : "denied", random.NextDouble() < 0.5 ? "preference_page" : "web:identify", at);
            if (random.NextDouble() < 0.25)
            {
                Add("marketing.sms", "granted", "checkout", at);
            }

            if (random.NextDouble() < 0.1)
            {
                Add("marketing.email", "", "preference_page", at + 86_400_000); // withdrawn a day later
            }

            if (random.NextDouble() < 0.05)
            {
                Add("paused_until", (now + (random.Next(-30, 30) * 86_400_000L)).ToString(CultureInfo.InvariantCulture), "preference_page", at);
            }

            if (random.NextDouble() < 0.05)
            {
                Add("quiet_hours", "21:00-08:00", "preference_page", at);
            }
        }

        await store.InsertAsync("consent_ledger",
            ["id_kind", "id_value", "item", "value", "source", "message_id", "at", "recorded_at"], rows);
        return rows.Count;
    }

    public static async Task TimeReportsAsync(IServiceProvider services)
    {
        var r = services.GetRequiredService<PopulationReports>();
        Console.WriteLine($"report needs overview: {(await r.NeedsAsync(refresh: true)).Took.TotalSeconds:0.00} s");
        Console.WriteLine($"report consent overview: {(await r.ConsentAsync(refresh: true)).Took.TotalSeconds:0.00} s");
    }
}
