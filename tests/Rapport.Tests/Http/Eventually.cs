using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Rapport.Tests.Http;

/// <summary>For state a background worker updates moments after a request (needs, via NeedsRefresher).</summary>
internal static class Eventually
{
    /// <summary>Reads <paramref name="path"/> until <paramref name="ready"/> holds (10 s at most), then returns the last reply.</summary>
    public static async Task<JsonObject> GetAsync(HttpClient client, string path, Func<JsonObject, bool> ready)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reply = (await client.GetFromJsonAsync<JsonObject>(path))!;
            if (ready(reply) || attempt == 100)
            {
                return reply;
            }

            await Task.Delay(100);
        }
    }
}
