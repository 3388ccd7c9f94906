using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Recommendations;
using Rapport.Core.Storage;

namespace Rapport.Tests.Http;

/// <summary>Recommendations before the first model exists, over real HTTP: a 503 that says when to retry, then lists once it is trained.</summary>
public sealed class RecommendationTrainingApiTests
{
    [Fact]
    public async Task BeforeTheFirstModel_Recommendations_503WithRetryAfter_ThenServedOnceTrained()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var s = await ApiServer.StartAsync(configure: services =>
        {
            // No wait for the first model (the default waits 2 s on the server's clock, which is fake here).
            services.AddSingleton(new RecommendationOptions { FirstModelWait = TimeSpan.Zero });
            // The start-up training is held, as a first read of millions of events would be.
            services.AddSingleton(sp => new Recommender(
                sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RecommendationOptions>(), sp.GetRequiredService<RecentActivity>())
            {
                BeforeLoad = () =>
                {
                    started.TrySetResult();
                    return release.Task;
                },
            });
        });
        var track = await s.Writer.PostAsJsonAsync("/v1/track", new
        {
            userId = "ann", @event = "Order Completed",
            properties = new { order_id = "o1", products = new[] { new { sku = "mug", price = 5, quantity = 1 }, new { sku = "plate", price = 10, quantity = 1 } } },
        });
        track.EnsureSuccessStatusCode();
        var ann = (await s.Admin.GetFromJsonAsync<JsonObject>("/v1/customers/lookup?kind=user_id&value=ann"))!["id"]!.GetValue<long>();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var path in new[] { $"/v1/customers/{ann}/recommendations", "/v1/products/mug/recommendations" })
        {
            var reply = await s.Admin.GetAsync(path);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.StatusCode);
            Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), reply.Headers.RetryAfter?.Delta);
            var problem = (await reply.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(503, problem["status"]!.GetValue<int>());
            Assert.Equal(5, problem["retryAfterSeconds"]!.GetValue<int>());
            Assert.Contains("Retry", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // Once the held training finishes, the same requests are served from the model.
        release.SetResult();
        var served = await UntilTrainedAsync(s.Admin, $"/v1/customers/{ann}/recommendations?type=popular");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var body = (await served.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("popular", body["type"]!.GetValue<string>());
        Assert.NotNull(body["items"]);
    }

    /// <summary>Asks until the reply is no longer the 503 of a model in training (10 s at most).</summary>
    private static async Task<HttpResponseMessage> UntilTrainedAsync(HttpClient client, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var reply = await client.GetAsync(path);
            if (reply.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 100)
            {
                return reply;
            }

            await Task.Delay(100);
        }
    }
}
