using System.Text.Json.Nodes;
using Rapport.Engine.Journeys;
using Rapport.Engine.Segments;

namespace Rapport.Core.Journeys;

/// <summary>One version of a journey as the runner uses it: the definition and its conditions compiled once.</summary>
public sealed record LoadedJourney(long Id, long Version, string Status, bool Current, JourneyDefinition Definition, SegmentSet Conditions, IReadOnlyDictionary<string, int> ConditionIndex)
{
    public bool Active => Status == JourneyStatus.Active;

    /// <summary>A customer's side of this journey: the same every time (a hash), independent of other journeys and of actions.</summary>
    public bool InControl(long customer) => Engine.Decisioning.ControlGroups.InControl($"journey:{Id}", customer, Definition.ControlShare);
}

/// <summary>Every journey version in memory, reloaded after a change (<see cref="JourneyStore.Changed"/>).</summary>
public sealed class JourneyCatalog
{
    private readonly JourneyStore _store;
    private readonly SegmentFields _fields;
    private volatile bool _dirty = true;
    private Dictionary<(long, long), LoadedJourney> _versions = [];

    public JourneyCatalog(JourneyStore store, SegmentFields fields)
    {
        _store = store;
        _fields = fields;
        store.Changed += () => _dirty = true;
    }

    public async Task<IReadOnlyDictionary<(long Id, long Version), LoadedJourney>> CurrentAsync(CancellationToken ct = default)
    {
        if (_dirty)
        {
            _dirty = false;
            var loaded = new Dictionary<(long, long), LoadedJourney>();
            foreach (var (id, version, status, current, definition) in await _store.VersionsAsync(ct))
            {
                // Stored definitions were valid when saved; templates and segments are checked again when used.
                var (journey, _) = JourneyParser.Parse((JsonObject)JsonNode.Parse(definition)!, JourneyReferences.None with { Fields = _fields });
                if (journey is null)
                {
                    continue;
                }

                var conditions = journey.LanguageConditions;
                var index = conditions.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
                loaded[(id, version)] = new LoadedJourney(id, version, status, version == current, journey,
                    SegmentSet.Compile(conditions.Select(c => c.If!).ToList(), _fields), index);
            }

            _versions = loaded;
        }

        return _versions;
    }

    /// <summary>The current version of each active journey: what enrols customers.</summary>
    public async Task<IReadOnlyList<LoadedJourney>> ActiveAsync(CancellationToken ct = default) =>
        (await CurrentAsync(ct)).Values.Where(j => j.Current && j.Active).OrderBy(j => j.Id).ToList();
}
