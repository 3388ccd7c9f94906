using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Rapport.Hosting;

/// <summary>
/// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto Rapport believes
/// (Rapport:TrustedProxies, addresses separated by commas, e.g. "127.0.0.1,10.0.0.5"). Why it
/// matters: the sign-in limits count per client address (docs/staff.md); behind a proxy every
/// client has the proxy's address, so without this one member's typos would pause everyone.
/// Empty (the default): the forwarded headers are ignored, so nobody can pick their own address.
/// </summary>
internal sealed record TrustedProxies(IReadOnlyList<IPAddress> Addresses)
{
    public const string Setting = "Rapport:TrustedProxies";

    public static TrustedProxies From(IConfiguration configuration) => Parse(configuration[Setting]);

    public static TrustedProxies Parse(string? text)
    {
        var addresses = new List<IPAddress>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            addresses.Add(IPAddress.TryParse(part, out var a)
                ? a
                : throw new ArgumentException($"{Setting} '{part}' is not an IP address. List the proxies' addresses separated by commas, e.g. 127.0.0.1,10.0.0.5."));
        }

        return new TrustedProxies(addresses);
    }

    /// <summary>First in the pipeline, so every later part sees the client's own address.</summary>
    public static void Use(WebApplication app)
    {
        var trusted = app.Services.GetRequiredService<TrustedProxies>();
        if (trusted.Addresses.Count == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var address in trusted.Addresses)
        {
            options.KnownProxies.Add(address);
        }

        app.UseForwardedHeaders(options);
    }
}
