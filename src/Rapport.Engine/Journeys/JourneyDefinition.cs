using System.Text.Json.Nodes;
using Rapport.Engine.Segments;

namespace Rapport.Engine.Journeys;

/// <summary>What enrols a customer. Exactly one kind per journey.</summary>
public abstract record JourneyTrigger
{
    /// <summary>A tracked event by name, optionally with property values that must match (e.g. a tier change "direction": "up").</summary>
    public sealed record Event(string Name, IReadOnlyDictionary<string, string> Where) : JourneyTrigger;

    /// <summary>Entering a segment, by id or by name.</summary>
    public sealed record Segment(string IdOrName) : JourneyTrigger;

    /// <summary>A yearly date held in a trait (a birthday): enrols once a year, <see cref="DaysBefore"/> days ahead of it.</summary>
    public sealed record Date(string Trait, int DaysBefore) : JourneyTrigger;

    /// <summary>A prediction falling below a threshold (e.g. prediction.p_alive below 0.3), found by a scheduled sweep.</summary>
    public sealed record Prediction(string Field, double Below) : JourneyTrigger;
}

/// <summary>Whether a customer may enter again: never, or after the previous enrolment ended.</summary>
public enum JourneyReentry
{
    AfterExit,
    Once,
}

/// <summary>One step. <see cref="Next"/> is where to go after it (null: the journey ends).</summary>
public abstract record JourneyStep(string Id, string? Next)
{
    public abstract string Type { get; }
}

/// <summary>Waits for a duration, until a time of day (UTC), until a date, or until shortly before the customer's own next purchase is due.</summary>
public sealed record WaitStep(
    string Id, string? Next, TimeSpan? Duration, TimeOnly? UntilTime, DateTimeOffset? UntilDate, bool UntilCadence, TimeSpan Before, TimeSpan? Fallback)
    : JourneyStep(Id, Next)
{
    public override string Type => JourneyStepTypes.Wait;
}

/// <summary>Branches on the segment language (traits, value, predictions, needs) or on membership of a segment.</summary>
public sealed record ConditionStep(string Id, string? Then, string? Else, SegmentDefinition? If, string? InSegment)
    : JourneyStep(Id, Then)
{
    public override string Type => JourneyStepTypes.Condition;
}

/// <summary>Sends a saved template on a channel through the outbox.</summary>
public sealed record SendStep(string Id, string? Next, string Channel, string Template, string Purpose) : JourneyStep(Id, Next)
{
    public override string Type => JourneyStepTypes.Send;
}

/// <summary>Asks the next-best-action engine for offers and sends them in a template (as "offers").</summary>
public sealed record NextBestActionStep(string Id, string? Next, string Channel, string? Placement, string Template, int Limit) : JourneyStep(Id, Next)
{
    public override string Type => JourneyStepTypes.NextBestAction;
}

/// <summary>A task for the customer's account manager (or the team when none is assigned).</summary>
public sealed record TaskStep(string Id, string? Next, string Title, TimeSpan? DueIn) : JourneyStep(Id, Next)
{
    public override string Type => JourneyStepTypes.Task;
}

/// <summary>Grants loyalty points.</summary>
public sealed record RewardStep(string Id, string? Next, long Points, string? Note) : JourneyStep(Id, Next)
{
    public override string Type => JourneyStepTypes.Reward;
}

/// <summary>Ends the enrolment here.</summary>
public sealed record ExitStep(string Id) : JourneyStep(Id, null)
{
    public override string Type => JourneyStepTypes.Exit;
}

public static class JourneyStepTypes
{
    public const string Wait = "wait";
    public const string Condition = "condition";
    public const string Send = "send";
    public const string NextBestAction = "nextBestAction";
    public const string Task = "task";
    public const string Reward = "reward";
    public const string Exit = "exit";

    public static readonly IReadOnlyList<string> All = [Wait, Condition, Send, NextBestAction, Task, Reward, Exit];

    /// <summary>Steps that do something to or for the customer: a control-group customer skips them.</summary>
    public static bool IsAction(JourneyStep step) => step is SendStep or NextBestActionStep or TaskStep or RewardStep;
}

/// <summary>
/// A valid journey: a trigger, steps (the first is where an enrolment starts), goal events that
/// end an enrolment as converted, and the share of enrolled customers held out as a control group.
/// <see cref="Json"/> is the definition as given (stored as is).
/// </summary>
public sealed record JourneyDefinition(
    string Name, string? Description, JourneyTrigger Trigger, IReadOnlyList<string> GoalEvents, double ControlShare,
    JourneyReentry Reentry, IReadOnlyList<JourneyStep> Steps, JsonObject Json)
{
    private Dictionary<string, JourneyStep>? _byId;

    public string Start => Steps[0].Id;

    public JourneyStep? Step(string id) =>
        (_byId ??= Steps.ToDictionary(s => s.Id, StringComparer.Ordinal)).GetValueOrDefault(id);

    /// <summary>The conditions written in the segment language, in step order (compiled together once per journey).</summary>
    public IReadOnlyList<ConditionStep> LanguageConditions => Steps.OfType<ConditionStep>().Where(c => c.If is not null).ToList();

    /// <summary>Every event name the journey reacts to once running: goals, and the trigger when it is an event.</summary>
    public IEnumerable<string> EventNames => Trigger is JourneyTrigger.Event e ? GoalEvents.Append(e.Name) : GoalEvents;
}

/// <summary>A mistake in a definition: its JSON path, the step it is in (if any), and how to fix it.</summary>
public sealed record JourneyError(string Path, string? Step, string Message)
{
    public override string ToString() => Step is null ? $"{Path}: {Message}" : $"{Path} (step '{Step}'): {Message}";
}
