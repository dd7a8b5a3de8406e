using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A wait registered by the current state, and its result once resolved.</summary>
/// <param name="Id">The wait id.</param>
/// <param name="Type">The wait type: <see cref="WaitTypes.Spawn"/>, <see cref="WaitTypes.Escalation"/> or a user type.</param>
/// <param name="Params">What the wait carries (for a spawn: flow, input and name; for an escalation: user, message, inputs).</param>
/// <param name="Status">Pending, success or error.</param>
/// <param name="Output">The result of a successful wait (and the reply's values of a rejected escalation).</param>
/// <param name="Error">The error of a failed wait.</param>
public sealed record Wait(string Id, string Type, JsonNode? Params, WaitStatus Status, JsonNode? Output, string? Error)
{
    /// <summary>The error of a wait whose timeout passed before it was resolved: <c>timeout</c>.</summary>
    public const string TimeoutError = "timeout";

    /// <summary>
    /// For a wait registered with a timeout (<see cref="WaitFor.Timeout"/>, an escalation's timeout) or a
    /// <see cref="StateContext.Sleep"/>: how long after the step's commit the scheduler resolves it (a sleep with success, any
    /// other wait with the error <see cref="TimeoutError"/>). Null: no timer.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>True while the wait is unanswered.</summary>
    public bool IsPending => Status == WaitStatus.Pending;

    internal Wait DeepClone() => this with { Params = Params?.DeepClone(), Output = Output?.DeepClone() };
}
