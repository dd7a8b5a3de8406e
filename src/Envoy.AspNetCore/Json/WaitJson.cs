using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>One wait of a job as the API writes it: <c>{ id, type, status: pending|success|error, output, error }</c>.</summary>
/// <param name="Id">The wait id.</param>
/// <param name="Type">What it waits for (an external event type, <c>spawn</c>, <c>escalation</c>).</param>
/// <param name="Status"><c>pending</c>, <c>success</c> or <c>error</c>.</param>
/// <param name="Output">What it received.</param>
/// <param name="Error">Its error.</param>
public sealed record WaitJson(string Id, string Type, string Status, JsonNode? Output, string? Error)
{
    /// <summary>The API form of <paramref name="wait"/>.</summary>
    public static WaitJson From(Wait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        return new WaitJson(wait.Id, wait.Type, JsonNames.Of(wait.Status), wait.Output?.DeepClone(), wait.Error);
    }
}
