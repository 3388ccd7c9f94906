using System.Net;
using Dapper;
using Rapport.Core.Storage;

namespace Rapport.Http;

/// <summary>A plain status page at / : what store is in use and how much is in it.</summary>
internal static class StatusPage
{
    public static void MapStatusPage(this IEndpointRouteBuilder app) =>
        app.MapGet("/", async (IDatabase db, IServiceProvider services, CancellationToken ct) =>
        {
            await using var c = await db.OpenAsync(ct);
            var counts = await c.QuerySingleAsync<(long Customers, long Events, long Orders, long Products)>(
                """
                SELECT (SELECT COUNT(*) FROM customers WHERE merged_into IS NULL), (SELECT COUNT(*) FROM events),
                       (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM products)
                """);
            var html = $$"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rapport</title>
                <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}td{padding:.2rem 1rem}</style></head>
                <body><h1>Rapport is running</h1>
                <p>Store: <code>{{WebUtility.HtmlEncode(db.DisplayName)}}</code></p>
                <table><tr><td>Customers</td><td id="customers">{{counts.Customers:N0}}</td></tr>
                <tr><td>Events</td><td id="events">{{counts.Events:N0}}</td></tr>
                <tr><td>Orders</td><td id="orders">{{counts.Orders:N0}}</td></tr>
                <tr><td>Products</td><td id="products">{{counts.Products:N0}}</td></tr></table>
                <p id="ingestion">{{WebUtility.HtmlEncode(await IngestStatus.DescribeAsync(services, ct))}}</p>
                <p>API description: <a href="/openapi/v1.json">/openapi/v1.json</a> · Health: <a href="/health">/health</a></p>
                </body></html>
                """;
            return Results.Content(html, "text/html");
        }).ExcludeFromDescription();
}
