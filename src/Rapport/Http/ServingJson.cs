using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Rapport.Core.Actions;

namespace Rapport.Http;

/// <summary>
/// Source-generated JSON for the two hot serving replies (next best actions and
/// recommendations), written straight to the response: the generated metadata replaces the
/// reflection-built one. Bound to a copy of the API's own options (naming, nulls, the relaxed
/// encoder ASP.NET sets), so the bytes are those every other endpoint writes; ServingJsonTests
/// compares the two.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NextBestActions))]
[JsonSerializable(typeof(RecommendationsReply))]
internal sealed partial class ServingJson : JsonSerializerContext
{
    private static readonly ConditionalWeakTable<JsonSerializerOptions, ServingJson> s_byApiOptions = [];

    /// <summary>The context for this host's API options (one per host; a lookup per request).</summary>
    public static ServingJson For(HttpContext http) =>
        s_byApiOptions.GetValue(
            http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions,
            api => new ServingJson(new JsonSerializerOptions(api)));
}
