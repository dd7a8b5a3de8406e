using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>The body of <c>POST /jobs</c>: <c>{ flow, input?, delay?, runAt?, priority?, idempotencyKey?, parentId? }</c>.</summary>
public sealed class ScheduleJobRequest
{
    /// <summary>The flow to run (required).</summary>
    public string? Flow { get; set; }

    /// <summary>The job's input (any JSON).</summary>
    public JsonNode? Input { get; set; }

    /// <summary>Seconds to wait before it may run (a number, at least 0); not together with <see cref="RunAt"/>.</summary>
    public double? Delay { get; set; }

    /// <summary>When it may run (ISO 8601); not together with <see cref="Delay"/>.</summary>
    public DateTimeOffset? RunAt { get; set; }

    /// <summary>Higher runs first (default 0).</summary>
    public int? Priority { get; set; }

    /// <summary>Scheduling again with this key gives the first job and creates nothing.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Records the job as a child of this job.</summary>
    public string? ParentId { get; set; }
}
