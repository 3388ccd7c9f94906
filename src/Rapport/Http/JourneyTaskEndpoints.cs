using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Journeys;
using Rapport.Core.Keys;

namespace Rapport.Http;

/// <summary>Closing a task a journey created for an account manager (admin key); the list is GET /v1/journeys/tasks.</summary>
internal static class JourneyTaskEndpoints
{
    public const int MaxNote = 2000;

    public static void MapJourneyTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/journeys/tasks").RequireKey(KeyKind.Admin).WithTags("Journeys");
        g.MapPost("/{id}/close", CloseAsync)
            .WithSummary("Close a journey task (optional body {\"note\": \"called, all fine\", \"by\": \"sam\"}); closing it again changes nothing");
    }

    private static async Task<Results<Ok<ClosedTask>, ProblemHttpResult>> CloseAsync(string id, HttpRequest request, JourneyTasks tasks, CancellationToken ct)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var taskId) || taskId < 1)
        {
            return Problems.BadRequest("Bad task id", $"'{id}' is not a task id: use the id from GET /v1/journeys/tasks?status=open.");
        }

        string? note = null;
        var by = "api";
        if (request.ContentLength is > 0 || request.HasJsonContentType())
        {
            JsonObject? body;
            try
            {
                body = await request.ReadFromJsonAsync<JsonObject>(ct);
            }
            catch (JsonException e)
            {
                return Problems.BadRequest("Invalid JSON", $"The body is not JSON ({e.Message}); send {{\"note\": \"called, all fine\"}} or nothing.");
            }

            if (Text(body?["note"], out note) is false || note?.Length > MaxNote)
            {
                return Problems.BadRequest("Bad note", $"note is text of at most {MaxNote} characters: what was done.");
            }

            if (Text(body?["by"], out var who) is false || who?.Length > 100)
            {
                return Problems.BadRequest("Bad by", "by is text of at most 100 characters: who closed the task.");
            }

            by = who ?? by;
        }

        return await tasks.CloseAsync(taskId, by, note, ct) is { } closed
            ? TypedResults.Ok(closed)
            : Problems.NotFound($"There is no journey task {taskId}; list them with GET /v1/journeys/tasks.");
    }

    /// <returns>False when the node is there but not a string.</returns>
    private static bool Text(JsonNode? node, out string? text)
    {
        text = null;
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.TryGetValue<string>(out var s))
        {
            text = string.IsNullOrWhiteSpace(s) ? null : s.Trim();
            return true;
        }

        return false;
    }
}
