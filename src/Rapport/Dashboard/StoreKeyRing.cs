using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Rapport.Core.Storage;

namespace Rapport.Dashboard;

/// <summary>
/// The data-protection key ring (what signs and encrypts the dashboard's sign-in, anti-forgery
/// and preference cookies) kept in the store's dashboard_keys table (migration 1540), so a
/// restart, or a second node on the same PostgreSQL, unprotects the cookies the first one issued.
/// The framework reads the ring when it starts and about once a day after, and writes one
/// element per new key (every 90 days), so the cost is a handful of rows and queries.
/// </summary>
internal sealed class StoreKeyRing(IDatabase database, TimeProvider clock) : IXmlRepository
{
    // IXmlRepository is synchronous; the framework calls it outside any request's synchronization
    // context (ASP.NET Core has none), so waiting on the async store here cannot deadlock.
    public IReadOnlyCollection<XElement> GetAllElements() => ReadAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => WriteAsync(element, friendlyName).GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> ReadAsync()
    {
        await using var c = await database.OpenAsync();
        var rows = await c.QueryAsync<string>("SELECT xml FROM dashboard_keys ORDER BY created_at, name");
        return rows.Select(x => XElement.Parse(x)).ToList();
    }

    private async Task WriteAsync(XElement element, string friendlyName)
    {
        // The friendly name is "key-{guid}" for a key and something else for a revocation; a
        // second write under a taken name (two nodes racing) gets a fresh name rather than losing either.
        var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        await using var c = await database.OpenAsync();
        var inserted = await c.ExecuteAsync(
            "INSERT INTO dashboard_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING",
            new { name, xml = element.ToString(SaveOptions.DisableFormatting), now = UnixTime.ToStorage(clock.GetUtcNow()) });
        if (inserted == 0)
        {
            await c.ExecuteAsync(
                "INSERT INTO dashboard_keys (name, xml, created_at) VALUES (@name, @xml, @now)",
                new { name = name + "-" + Guid.NewGuid().ToString("N"), xml = element.ToString(SaveOptions.DisableFormatting), now = UnixTime.ToStorage(clock.GetUtcNow()) });
        }
    }
}
