using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Journeys;
using Rapport.Engine.Segments;

namespace Rapport.Core.Journeys;

public sealed record JourneyView(long Id, string Name, string Status, long Version, JsonObject Definition, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Why a definition was refused: every mistake, with its path and step.</summary>
public sealed class JourneyValidationException(IReadOnlyList<JourneyError> errors)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<JourneyError> Errors { get; } = errors;
}

public static class JourneyStatus
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Paused = "paused";

    public static readonly IReadOnlyList<string> All = [Draft, Active, Paused];
}

/// <summary>
/// Saved journeys. Every save is a new version (enrolments keep the version they entered with);
/// definitions are validated against the templates and segments that exist now, so a typo is
/// an error on save, not a silent gap in a running programme.
/// </summary>
public sealed class JourneyStore(IDatabase database, StoreWriter writer, SegmentFields fields)
{
    /// <summary>Signalled after any change, so the runner reloads its definitions.</summary>
    public event Action? Changed;

    /// <summary>Validates a definition against the store's templates and segments; returns it or every mistake.</summary>
    public async Task<(JourneyDefinition? Journey, IReadOnlyList<JourneyError> Errors)> ValidateAsync(JsonObject body, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        var templates = (await c.QueryAsync<(string Name, string Channel)>("SELECT name, channel FROM message_templates"))
            .ToDictionary(t => t.Name, t => t.Channel, StringComparer.Ordinal);
        var segments = (await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM segments")).ToList();
        var references = new JourneyReferences(
            name => templates.GetValueOrDefault(name),
            s => segments.Any(x => x.Name == s || x.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == s),
            fields);
        return JourneyParser.Parse(body, references);
    }

    /// <returns>The new journey's id, or null when the name is taken.</returns>
    public async Task<long?> CreateAsync(JsonObject body, string status = JourneyStatus.Draft, CancellationToken ct = default)
    {
        var (journey, errors) = await ValidateAsync(body, ct);
        if (journey is null)
        {
            throw new JourneyValidationException(errors);
        }

        var id = await writer.WriteAsync(async unit =>
        {
            var id = await unit.Connection.ExecuteScalarAsync<long?>(
                "INSERT INTO journeys (name, status, version, created_at, updated_at) VALUES (@name, @status, 1, @now, @now) ON CONFLICT (name) DO NOTHING RETURNING id",
                new { name = journey.Name, status, now = unit.Now }, unit.Transaction);
            if (id is { } created)
            {
                await unit.Connection.ExecuteAsync(
                    "INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (@created, 1, @definition, @now)",
                    new { created, definition = body.ToJsonString(), now = unit.Now }, unit.Transaction);
                if (status == JourneyStatus.Active)
                {
                    await StartFeedAsync(unit);
                }
            }

            return id;
        }, ct);
        Changed?.Invoke();
        return id;
    }

    /// <summary>Saves a new version. Null: no such journey; false: the new name belongs to another journey.</summary>
    public async Task<bool?> ReplaceAsync(long id, JsonObject body, CancellationToken ct = default)
    {
        var (journey, errors) = await ValidateAsync(body, ct);
        if (journey is null)
        {
            throw new JourneyValidationException(errors);
        }

        var result = await writer.WriteAsync<bool?>(async unit =>
        {
            var version = await unit.Connection.ExecuteScalarAsync<long?>("SELECT version FROM journeys WHERE id = @id", new { id }, unit.Transaction);
            if (version is null)
            {
                return null;
            }

            var taken = await unit.Connection.ExecuteScalarAsync<long?>("SELECT id FROM journeys WHERE name = @name AND id <> @id", new { name = journey.Name, id }, unit.Transaction);
            if (taken is not null)
            {
                return false;
            }

            await unit.Connection.ExecuteAsync(
                "INSERT INTO journey_versions (journey_id, version, definition, created_at) VALUES (@id, @next, @definition, @now)",
                new { id, next = version + 1, definition = body.ToJsonString(), now = unit.Now }, unit.Transaction);
            await unit.Connection.ExecuteAsync(
                "UPDATE journeys SET name = @name, version = @next, updated_at = @now WHERE id = @id",
                new { id, name = journey.Name, next = version + 1, now = unit.Now }, unit.Transaction);
            return true;
        }, ct);
        Changed?.Invoke();
        return result;
    }

    /// <returns>False when there is no such journey.</returns>
    public async Task<bool> SetStatusAsync(long id, string status, CancellationToken ct = default)
    {
        var changed = await writer.WriteAsync(async unit =>
        {
            if (status == JourneyStatus.Active)
            {
                await StartFeedAsync(unit);
            }

            return await unit.Connection.ExecuteAsync(
                "UPDATE journeys SET status = @status, updated_at = @now WHERE id = @id", new { id, status, now = unit.Now }, unit.Transaction);
        }, ct);
        Changed?.Invoke();
        return changed > 0;
    }

    public async Task<IReadOnlyList<JourneyView>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>($"{Select} ORDER BY j.id")).Select(r => r.View()).ToList();
    }

    public async Task<JourneyView?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>($"{Select} WHERE j.id = @id", new { id }))?.View();
    }

    /// <summary>Every version of every journey that has enrolments to move or may enrol: what the runner needs.</summary>
    internal async Task<IReadOnlyList<(long Id, long Version, string Status, long Current, string Definition)>> VersionsAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<(long, long, string, long, string)>(
            "SELECT j.id, v.version, j.status, j.version, v.definition FROM journeys j JOIN journey_versions v ON v.journey_id = j.id")).ToList();
    }

    /// <summary>The event feed reads from the moment the first journey goes live: what happened before does not enrol anyone.</summary>
    private static Task StartFeedAsync(UnitOfWork unit) => unit.Connection.ExecuteAsync(
        "INSERT INTO journey_cursors (name, position) SELECT 'events', COALESCE(MAX(id), 0) FROM events WHERE 1 = 1 ON CONFLICT (name) DO NOTHING", // WHERE: SQLite's upsert after a SELECT needs one
        transaction: unit.Transaction);

    private const string Select =
        "SELECT j.id, j.name, j.status, j.version, v.definition, j.created_at AS CreatedAt, j.updated_at AS UpdatedAt FROM journeys j JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version";

    private sealed record Row(long Id, string Name, string Status, long Version, string Definition, long CreatedAt, long UpdatedAt)
    {
        public JourneyView View() => new(Id, Name, Status, Version, (JsonObject)JsonNode.Parse(Definition)!, UnixTime.FromStorage(CreatedAt), UnixTime.FromStorage(UpdatedAt));
    }
}
