using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>The body of <c>PUT /recurring/{id}</c>: <c>{ flow, cron, input?, timeZone?, priority?, enabled? }</c>.</summary>
public sealed class RecurringRequest
{
    /// <summary>The flow each occurrence runs (required).</summary>
    public string? Flow { get; set; }

    /// <summary>The cron expression: 5 fields, or 6 with seconds first (required).</summary>
    public string? Cron { get; set; }

    /// <summary>The input of each job (any JSON).</summary>
    public JsonNode? Input { get; set; }

    /// <summary>The time zone the expression is read in: an IANA id such as <c>Europe/Berlin</c> (default UTC).</summary>
    public string? TimeZone { get; set; }

    /// <summary>The priority of its jobs (default 0).</summary>
    public int? Priority { get; set; }

    /// <summary>Whether it fires (default true).</summary>
    public bool? Enabled { get; set; }
}
