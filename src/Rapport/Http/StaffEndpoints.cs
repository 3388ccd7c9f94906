using System.Text.Json;
using System.Text.Json.Nodes;
using Rapport.Core.Conversations;
using Rapport.Core.Keys;
using Rapport.Core.Staff;
using Rapport.Http.Chat;

namespace Rapport.Http;

/// <summary>
/// /v1/staff (admin key): the members, their roles and whether they are disabled; add one, change
/// a role, disable or enable (docs/staff.md). Disabling ends their live chat connections at once.
/// </summary>
internal static class StaffEndpoints
{
    public static void MapStaffEndpoints(this WebApplication app)
    {
        var g = app.MapGroup("/v1/staff").RequireKey(KeyKind.Admin).WithTags("Conversations");
        g.MapPost("", AddAsync).WithSummary("Add a staff member (name, optional email)");
        g.MapGet("", async (StaffAccounts accounts, ChatPresence presence, CancellationToken ct) =>
            TypedResults.Ok((await accounts.ListAsync(ct)).Select(m => View(m, presence))))
            .WithSummary("Staff members: role, disabled, whether they can sign in and whether each is online in the chat");
        g.MapGet("/{id:long}", async (long id, StaffAccounts accounts, ChatPresence presence, CancellationToken ct) =>
            await accounts.GetAsync(id, ct) is { } m ? Results.Ok(View(m, presence)) : NoMember(id))
            .WithSummary("One staff member");
        g.MapPatch("/{id:long}", PatchAsync).WithSummary("Change a member's role and/or disabled state: {\"role\": \"admin\"|\"staff\", \"disabled\": true|false}");
    }

    internal sealed record StaffBody(string? Name, string? Email);

    private static object View(StaffAccount m, ChatPresence presence) =>
        new { m.Id, m.Name, m.Email, m.CreatedAt, m.Role, m.Disabled, CanSignIn = m.HasPassword && !m.Disabled, Online = presence.IsOnline(m.Id) };

    private static async Task<IResult> AddAsync(StaffBody body, StaffDirectory staff, CancellationToken ct) =>
        await ConversationEndpoints.Guard(async () =>
        {
            var s = await staff.AddAsync(body.Name ?? "", body.Email, ct);
            return TypedResults.Created($"/v1/staff/{s.Id}", s);
        });

    private static async Task<IResult> PatchAsync(long id, HttpRequest request, StaffAccounts accounts, ChatPresence presence, CancellationToken ct)
    {
        const string Example = "send {\"role\": \"admin\"} or {\"role\": \"staff\"}, {\"disabled\": true} or {\"disabled\": false}, or both";
        JsonObject? body;
        try
        {
            body = await request.ReadFromJsonAsync<JsonObject>(ct);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Problems.BadRequest("Invalid JSON", $"The body is not a JSON object ({e.Message}); {Example}.");
        }

        var unknown = body?.Select(p => p.Key).Where(k => k is not ("role" or "disabled")).ToList() ?? [];
        if (body is null || body.Count == 0 || unknown.Count > 0)
        {
            return Problems.BadRequest("Nothing to change",
                (unknown.Count > 0 ? $"Unknown field(s) {string.Join(", ", unknown)}: " : "The body changes nothing: ") + Example + ".");
        }

        string? role = null;
        if (body["role"] is { } r && (r.GetValueKind() != JsonValueKind.String || !StaffRoles.IsKnown(role = r.GetValue<string>())))
        {
            return Problems.BadRequest("Bad role", "role is \"admin\" (manages staff, keys and erasure) or \"staff\" (inbox, customers, segments).");
        }

        bool? disabled = null;
        if (body["disabled"] is { } d)
        {
            if (d.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Problems.BadRequest("Bad disabled", "disabled is true (cannot sign in, sessions end, chats not routed to them) or false (enabled again).");
            }

            disabled = d.GetValue<bool>();
        }

        if (await accounts.GetAsync(id, ct) is null)
        {
            return NoMember(id);
        }

        if (role is not null)
        {
            await accounts.SetRoleAsync(id, role, ct);
        }

        if (disabled is { } off)
        {
            await accounts.SetDisabledAsync(id, off, ct);
            if (off)
            {
                presence.EndConnections(id);
            }
        }

        return Results.Ok(View((await accounts.GetAsync(id, ct))!, presence));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoMember(long id) =>
        Problems.NotFound($"There is no staff member {id}; GET /v1/staff lists them.");
}
