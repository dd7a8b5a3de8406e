using System.Text.Json.Nodes;

namespace Envoy.Cli.Api;

/// <summary>A recurring schedule (<c>GET /api/recurring</c>).</summary>
internal sealed record RecurringView(
    string Id,
    string Flow,
    string Cron,
    string? TimeZone,
    JsonNode? Input,
    int Priority,
    bool Enabled,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    string? LastJobId);

/// <summary>The body of <c>PUT /api/recurring/{id}</c>.</summary>
internal sealed record RecurringSetRequest(string Flow, string Cron, JsonNode? Input, string? TimeZone, int? Priority, bool? Enabled);
