using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Segments;

namespace Rapport.Core.Actions;

/// <summary>A catalogue action with its stored times and counters, as the API shows it.</summary>
public sealed record ActionView(long Id, string Name, string Kind, JsonObject Definition, long Issued, long Accepted, long Ignored, double Propensity,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The action catalogue: stored in <c>actions</c>, held in memory for decisions (reloaded after
/// every change) with the conditions of all actions compiled into one <see cref="SegmentSet"/>,
/// so a decision evaluates them on one snapshot of the customer.
/// </summary>
public sealed class ActionCatalog(IDatabase database, StoreWriter writer, SegmentFields fields)
{
    private volatile Loaded? _loaded;

    /// <summary>The actions and their compiled conditions: ConditionIndex[i] is action i's segment index in Conditions, or -1.</summary>
    public sealed record Loaded(IReadOnlyList<ActionDefinition> Actions, SegmentSet Conditions, int[] ConditionIndex, IReadOnlySet<string> Placements);

    public SegmentFields Fields => fields;

    public async Task<Loaded> CurrentAsync(CancellationToken ct = default)
    {
        if (_loaded is { } loaded)
        {
            return loaded;
        }

        await using var c = await database.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Id, string Definition)>("SELECT id, definition FROM actions ORDER BY id");
        var actions = new List<ActionDefinition>();
        foreach (var (id, definition) in rows)
        {
            // Stored definitions were valid when saved; one that no longer reads (a field family removed) is left out.
            if (ActionDefinitionParser.Parse((JsonObject)JsonNode.Parse(definition)!, id, null, fields).Action is { } a)
            {
                actions.Add(a);
            }
        }

        var withCondition = actions.Where(a => a.Condition is not null).ToList();
        var index = actions.Select(a => a.Condition is null ? -1 : withCondition.IndexOf(a)).ToArray();
        var set = SegmentSet.Compile(withCondition.Select(a => a.Condition!).ToList(), fields);
        var placements = actions.SelectMany(a => a.Spec.Placements).ToHashSet(StringComparer.Ordinal);
        return _loaded = new Loaded(actions, set, index, placements);
    }

    public async Task<IReadOnlyList<ActionView>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>($"{Select} ORDER BY a.id")).Select(View).ToList();
    }

    public async Task<ActionView?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return (await c.QueryAsync<Row>($"{Select} WHERE a.id = @id", new { id })).Select(View).SingleOrDefault();
    }

    public async Task<bool> SegmentExistsAsync(long id, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM segments WHERE id = @id", new { id }) > 0;
    }

    /// <returns>The new id, or null when the name is taken.</returns>
    public async Task<long?> CreateAsync(ActionDefinition action, CancellationToken ct = default)
    {
        var id = await writer.WriteAsync(async unit =>
        {
            if (await NameTakenAsync(unit, action.Spec.Name, null))
            {
                return (long?)null;
            }

            var now = unit.Now;
            var newId = await unit.Connection.ExecuteScalarAsync<long>(
                "INSERT INTO actions (name, kind, definition, created_at, updated_at) VALUES (@Name, @Kind, @definition, @now, @now) RETURNING id",
                new { action.Spec.Name, action.Spec.Kind, definition = action.Json.ToJsonString(), now }, unit.Transaction);
            await unit.Connection.ExecuteAsync("INSERT INTO action_stats (action_id, issued, accepted, ignored) VALUES (@newId, 0, 0, 0)", new { newId }, unit.Transaction);
            return newId;
        }, ct);
        _loaded = null;
        return id;
    }

    /// <returns>False when there is no such action; null when the new name belongs to another.</returns>
    public async Task<bool?> ReplaceAsync(long id, ActionDefinition action, CancellationToken ct = default)
    {
        var result = await writer.WriteAsync(async unit =>
        {
            if (await NameTakenAsync(unit, action.Spec.Name, id))
            {
                return (bool?)null;
            }

            var changed = await unit.Connection.ExecuteAsync(
                "UPDATE actions SET name = @Name, kind = @Kind, definition = @definition, updated_at = @now WHERE id = @id",
                new { action.Spec.Name, action.Spec.Kind, definition = action.Json.ToJsonString(), now = unit.Now, id }, unit.Transaction);
            return changed == 1;
        }, ct);
        _loaded = null;
        return result;
    }

    private static async Task<bool> NameTakenAsync(UnitOfWork unit, string name, long? except) =>
        await unit.Connection.ExecuteScalarAsync<long?>("SELECT id FROM actions WHERE name = @name", new { name }, unit.Transaction) is { } other && other != except;

    private const string Select = """
        SELECT a.id AS Id, a.name AS Name, a.kind AS Kind, a.definition AS Definition, s.issued AS Issued, s.accepted AS Accepted,
               s.ignored AS Ignored, a.created_at AS CreatedAt, a.updated_at AS UpdatedAt
        FROM actions a JOIN action_stats s ON s.action_id = a.id
        """;

    private ActionView View(Row r)
    {
        var json = (JsonObject)JsonNode.Parse(r.Definition)!;
        var prior = ActionDefinitionParser.Parse(json, r.Id, null, fields).Action?.Spec.Prior ?? Engine.Decisioning.PropensityPrior.Default;
        return new ActionView(r.Id, r.Name, r.Kind, json, r.Issued, r.Accepted, r.Ignored, prior.Posterior(r.Accepted, r.Ignored),
            UnixTime.FromStorage(r.CreatedAt), UnixTime.FromStorage(r.UpdatedAt));
    }

    private sealed record Row(long Id, string Name, string Kind, string Definition, long Issued, long Accepted, long Ignored, long CreatedAt, long UpdatedAt);
}
