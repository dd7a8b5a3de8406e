using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// The tool call a <c>ToolAgent</c> asks a human to approve: the agent keeps, while its tool step waits, the step's calls as
/// the step input and the escalation of each call needing approval under <c>$agentApprovals</c> (call id → escalation id).
/// </summary>
/// <param name="Tool">The tool's name.</param>
/// <param name="Arguments">Its arguments (indented JSON when they parse, else as the model wrote them).</param>
public sealed record ToolCallApproval(string Tool, string Arguments)
{
    /// <summary>Indented JSON for people (the page encodes it as it writes it).</summary>
    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>AgentKeys.Approvals</c> of Envoy.Agents (which this package does not reference).</summary>
    private const string ApprovalsKey = "$agentApprovals";


    /// <summary>The call <paramref name="escalation"/> asks about, or null when it is not a tool approval of <paramref name="job"/>.</summary>
    internal static ToolCallApproval? Find(Job job, Escalation escalation)
    {
        if (job.Context.Data[ApprovalsKey] is not JsonObject approvals || job.Context.Input() is not JsonArray calls)
        {
            return null;
        }

        var callId = approvals
            .Where(p => p.Value is JsonValue value && value.TryGetValue<string>(out var id) && string.Equals(id, escalation.Id, StringComparison.Ordinal))
            .Select(p => p.Key)
            .FirstOrDefault();
        if (callId is null)
        {
            return null;
        }

        foreach (var call in calls.OfType<JsonObject>())
        {
            if (string.Equals(Text(call, "id"), callId, StringComparison.Ordinal) && Text(call, "name") is { } name)
            {
                return new ToolCallApproval(name, Pretty(Text(call, "arguments") ?? "{}"));
            }
        }

        return null;
    }

    private static string? Text(JsonObject call, string name)
    {
        foreach (var (key, value) in call)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && value is JsonValue text && text.TryGetValue<string>(out var s))
            {
                return s;
            }
        }

        return null;
    }

    private static string Pretty(string arguments)
    {
        try
        {
            return JsonNode.Parse(arguments)?.ToJsonString(Indented) ?? arguments;
        }
        catch (JsonException)
        {
            return arguments;
        }
    }
}
