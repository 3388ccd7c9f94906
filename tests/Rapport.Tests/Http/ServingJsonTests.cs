using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rapport.Core.Actions;
using Rapport.Core.Recommendations;
using Rapport.Hosting;
using Rapport.Http;
using Rapport.Storage.Sqlite;

namespace Rapport.Tests.Http;

/// <summary>
/// The hot replies are written with source-generated JSON (ServingJson); clients must see the
/// same bytes the API's reflection options wrote before: names, nulls, numbers, nested JSON.
/// </summary>
public sealed class ServingJsonTests
{
    [Fact]
    public async Task GeneratedWriters_WriteTheSameBytesAsTheApiOptions()
    {
        var dir = Directory.CreateTempSubdirectory("rapport-json-");
        try
        {
            await using var db = new SqliteDatabase(Path.Combine(dir.FullName, "s.db"));
            await using var app = RapportApp.Build(db, TimeProvider.System, "http://127.0.0.1:0");
            var api = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var serving = ServingJson.For(new DefaultHttpContext { RequestServices = app.Services });

            var data = new JsonObject { ["facts"] = new JsonObject { ["first_name"] = "Zoë" }, ["condition"] = null, ["score"] = 1.25 };
            var nba = new NextBestActions(42,
            [
                new DecisionView(7, 3, "Lamp 10% off", "discount", "web", null, "because you bought Blue Lamp \"XL\"", 0.5, 0.1, 1.5,
                    new ProductSuggestion("LAMP-1", "Blue Lamp", "you looked at it", "viewed"), new JsonObject { ["code"] = "LAMP10" }, data),
                new DecisionView(8, 4, "Care", "content", "web", "home", "for you", 1e-7, 0, double.Epsilon, null, null, new JsonObject()),
            ],
            [new SkippedAction(5, "Gift", "no_consent", "marketing on web is denied")]);
            Assert.Equal(JsonSerializer.Serialize(nba, api), JsonSerializer.Serialize(nba, serving.NextBestActions));
            Assert.Contains("\"decisionId\":7", JsonSerializer.Serialize(nba, serving.NextBestActions));

            var recs = new RecommendationsReply("fbt", null, "LAMP-1", "all", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero),
                [new RecommendedItem(1, "BULB-2", "Bulb <warm>", 0.123456789), new RecommendedItem(2, "SHADE", "Shade", 0)]);
            Assert.Equal(JsonSerializer.Serialize(recs, api), JsonSerializer.Serialize(recs, serving.RecommendationsReply));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
