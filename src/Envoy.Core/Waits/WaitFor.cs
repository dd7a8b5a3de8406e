using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A wait to register with <see cref="StateContext.WaitFor(WaitFor[])"/>: resolved from outside by id.</summary>
/// <param name="Id">The id used to resolve it; unique among the state's waits.</param>
/// <param name="Type">What kind of event it waits for (free text, for example <c>webhook</c>).</param>
/// <param name="Params">Anything the resolver needs to know.</param>
public sealed record WaitFor(string Id, string Type, JsonNode? Params = null)
{
    /// <summary>
    /// How long the wait may stay pending, counted from the step's commit; when it passes first, the wait resolves with the
    /// error <c>timeout</c> (the scheduler fires it, durably) and the job goes on: its handler decides. Null (the default): no timeout.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}
