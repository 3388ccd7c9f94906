namespace Rapport.Engine.Journeys;

/// <summary>Where a walk ended: at a wait (the enrolment sleeps until it is due), or at the end of the journey.</summary>
public sealed record JourneyWalk(IReadOnlyList<JourneyStep> Taken, WaitStep? WaitingAt)
{
    public bool Finished => WaitingAt is null;
}

/// <summary>
/// Moves an enrolment through its journey: from a step, through conditions and actions, to the
/// next wait or the end. Pure: the caller answers conditions and performs the actions taken.
/// A definition that passed <see cref="JourneyParser"/> has no loop without a wait, so a walk is
/// finite; <see cref="MaxSteps"/> guards a stored definition all the same.
/// </summary>
public static class JourneyWalker
{
    public const int MaxSteps = 1_000;

    /// <param name="from">The step to start at (the journey's first step, or the step after a wait that fell due); null = the end.</param>
    public static JourneyWalk Walk(JourneyDefinition journey, string? from, Func<ConditionStep, bool> test)
    {
        var taken = new List<JourneyStep>();
        var at = from;
        while (at is not null && journey.Step(at) is { } step)
        {
            if (taken.Count >= MaxSteps)
            {
                throw new InvalidOperationException($"journey '{journey.Name}' took {MaxSteps} steps without a wait at step '{step.Id}'");
            }

            taken.Add(step);
            switch (step)
            {
                case WaitStep wait:
                    return new JourneyWalk(taken, wait);
                case ExitStep:
                    return new JourneyWalk(taken, null);
                case ConditionStep c:
                    at = test(c) ? c.Then : c.Else;
                    break;
                default:
                    at = step.Next;
                    break;
            }
        }

        return new JourneyWalk(taken, null);
    }
}
