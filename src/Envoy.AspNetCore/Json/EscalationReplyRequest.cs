using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>The body of <c>POST /escalations/{id}/reply</c>: <c>{ decision: "approved"|"rejected", values: { ... } }</c>.</summary>
public sealed record EscalationReplyRequest
{
    /// <summary><c>approved</c> or <c>rejected</c> (required).</summary>
    public string? Decision { get; init; }

    /// <summary>The values by input id (optional; each must name one of the escalation's inputs and fit it).</summary>
    public JsonObject? Values { get; init; }
}
