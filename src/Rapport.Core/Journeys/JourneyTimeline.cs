using System.Text.Json.Nodes;
using Rapport.Core.Events;
using Rapport.Core.Storage;

namespace Rapport.Core.Journeys;

/// <summary>
/// Puts journey steps on customers' timelines in the caller's transaction: "Journey Entered",
/// "Journey Step" (step, type, outcome), "Journey Exited" (reason). Message ids are derived from
/// the enrolment and its move, so writing the same fact twice stores one event. They are
/// Rapport's own facts, appended in bulk through <see cref="OwnEvents"/> (no projections).
/// </summary>
internal sealed class JourneyTimeline
{
    public const string Entered = "Journey Entered";
    public const string Step = "Journey Step";
    public const string Exited = "Journey Exited";

    /// <summary>Names the event feed must not react to (a journey cannot trigger itself through its own log).</summary>
    public static readonly IReadOnlySet<string> Own = new HashSet<string>(StringComparer.Ordinal) { Entered, Step, Exited };

    private const string Library = "rapport-journeys";

    private readonly List<OwnFact> _events = [];

    public int Count => _events.Count;

    public void Add(string messageId, long customer, string name, JsonObject properties) =>
        _events.Add(new OwnFact(messageId, customer, name, properties, Library));

    public async Task FlushAsync(UnitOfWork unit, CancellationToken ct)
    {
        await OwnEvents.AppendAsync(unit, _events, ct);
        _events.Clear();
    }
}
