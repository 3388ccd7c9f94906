using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Core.Keys;
using Rapport.Core.Messaging;

namespace Rapport.Http;

/// <summary>Templates, sending to a customer, and the outbox as staff see it (admin key).</summary>
internal static class MessagingEndpoints
{
    public static void MapMessagingEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1").RequireKey(KeyKind.Admin).WithTags("Messaging");
        g.MapPut("/templates/{name}", SaveTemplateAsync).WithSummary("Create or replace a message template (checked on save)");
        g.MapGet("/templates", async (TemplateStore t, CancellationToken ct) => TypedResults.Ok(await t.ListAsync(ct))).WithSummary("All templates");
        g.MapGet("/templates/{name}", GetTemplateAsync).WithSummary("One template");
        g.MapPost("/customers/{id:long}/messages", SendAsync).WithSummary("Render a template for the customer and queue it in the outbox (202)");
        g.MapGet("/outbox", ListAsync).WithSummary("Outbox messages, newest first; ?status=dead lists the dead letters");
        g.MapGet("/outbox/{id:long}", GetAsync).WithSummary("One outbox message with its status and last error");
        g.MapPost("/outbox/{id:long}/retry", RetryAsync).WithSummary("Queue a dead-lettered message again");
        app.MapMessageLinkEndpoints();
    }

    private static async Task<Results<Ok<MessageTemplateView>, Created<MessageTemplateView>, ProblemHttpResult>> SaveTemplateAsync(
        string name, TemplateRequest body, TemplateStore templates, CancellationToken ct)
    {
        try
        {
            var created = await templates.SaveAsync(name, body.Channel ?? "email", body.Subject ?? "", body.Text ?? "", body.Html, ct);
            var saved = (await templates.GetAsync(name, ct))!;
            return created ? TypedResults.Created($"/v1/templates/{name}", saved) : TypedResults.Ok(saved);
        }
        catch (TemplateValidationException e)
        {
            return Problems.BadRequest("Invalid template", e.Message, new { part = e.Part, position = e.Position });
        }
    }

    private static async Task<Results<Ok<MessageTemplateView>, ProblemHttpResult>> GetTemplateAsync(string name, TemplateStore templates, CancellationToken ct) =>
        await templates.GetAsync(name, ct) is { } t ? TypedResults.Ok(t) : Problems.NotFound($"There is no template '{name}'.");

    private static async Task<Results<Accepted<SendReply>, Ok<SendReply>, ProblemHttpResult>> SendAsync(
        long id, SendRequest body, MessageComposer composer, Outbox outbox, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Template))
        {
            return Problems.BadRequest("Missing template", "Say which template to send: {\"template\": \"welcome\", \"purpose\": \"marketing\"}.");
        }

        if (body.Key is { Length: > 200 })
        {
            return Problems.BadRequest("Key too long", "An idempotency key is at most 200 characters.");
        }

        try
        {
            var key = body.Key is { Length: > 0 } k ? $"api:{k}" : $"api:{Guid.NewGuid():N}";
            var message = await composer.ComposeAsync(id, body.Template, body.Purpose ?? MessagePurpose.Marketing, key, body.Data, ct);
            var (outboxId, created) = await outbox.EnqueueAsync(message, ct);
            var reply = new SendReply(outboxId, created ? OutboxStatus.Pending : (await outbox.GetAsync(outboxId, ct))!.Status, created);
            return created ? TypedResults.Accepted($"/v1/outbox/{outboxId}", reply) : TypedResults.Ok(reply);
        }
        catch (ComposeException e)
        {
            return e.Kind switch
            {
                ComposeFailure.UnknownCustomer => Problems.NotFound(e.Message),
                ComposeFailure.NoAddress => Problems.Make(StatusCodes.Status422UnprocessableEntity, "No address", e.Message),
                ComposeFailure.UnknownTemplate => Problems.BadRequest("Unknown template", e.Message),
                _ => Problems.BadRequest("Cannot send", e.Message),
            };
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<OutboxEntry>>, ProblemHttpResult>> ListAsync(
        Outbox outbox, CancellationToken ct, string? status, long? customer, int? limit)
    {
        if (status is not null && !OutboxStatus.All.Contains(status))
        {
            return Problems.BadRequest("Unknown status", $"'{status}' is not an outbox status; use one of {string.Join(", ", OutboxStatus.All)}.");
        }

        if (limit is < 1 or > 500)
        {
            return Problems.BadRequest("Bad limit", "limit must be between 1 and 500.");
        }

        return TypedResults.Ok(await outbox.ListAsync(status, customer, limit ?? 100, ct));
    }

    private static async Task<Results<Ok<OutboxEntry>, ProblemHttpResult>> GetAsync(long id, Outbox outbox, CancellationToken ct) =>
        await outbox.GetAsync(id, ct) is { } e ? TypedResults.Ok(e) : Problems.NotFound($"There is no outbox message {id}.");

    private static async Task<Results<Accepted<OutboxEntry>, ProblemHttpResult>> RetryAsync(long id, Outbox outbox, CancellationToken ct)
    {
        if (await outbox.GetAsync(id, ct) is not { } entry)
        {
            return Problems.NotFound($"There is no outbox message {id}.");
        }

        if (!await outbox.RetryAsync(id, ct))
        {
            return Problems.Conflict($"Message {id} is '{entry.Status}'; only dead messages can be retried.");
        }

        return TypedResults.Accepted($"/v1/outbox/{id}", (await outbox.GetAsync(id, ct))!);
    }
}

internal sealed record TemplateRequest(string? Channel, string? Subject, string? Text, string? Html);

internal sealed record SendRequest(string? Template, string? Purpose, string? Key, JsonObject? Data);

internal sealed record SendReply(long Id, string Status, bool Created);
