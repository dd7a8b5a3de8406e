namespace Envoy.AspNetCore.Json;

/// <summary>The body of <c>POST /jobs/{id}/fail</c>: <c>{ reason }</c>.</summary>
public sealed class FailJobRequest
{
    /// <summary>Why the job is failed; becomes its error (required, not blank).</summary>
    public string? Reason { get; set; }
}
