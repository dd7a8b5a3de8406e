using System.Globalization;
using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>One reply of the JSON plan protocol: <c>plan</c>, <c>action</c>, <c>toolCalls</c> and <c>answer</c>.</summary>
internal sealed record JsonPlan(string? Plan, IReadOnlyList<LlmToolCall> ToolCalls, string? Answer)
{
    public const string CallTools = "call_tools";
    public const string AnswerAction = "answer";

    /// <summary>Reads a plan; returns the problem instead when the object does not follow the protocol.</summary>
    public static (JsonPlan? Plan, string? Problem) Read(JsonNode? data, int step)
    {
        if (data is not JsonObject obj)
        {
            return (null, "the reply is not a JSON object.");
        }

        var action = (obj["action"] as JsonValue)?.TryGetValue(out string? a) == true ? a : null;
        var answer = obj["answer"] switch
        {
            null => null,
            JsonValue value when value.TryGetValue(out string? s) => s,
            var other => other.ToJsonString(),
        };
        var plan = (obj["plan"] as JsonValue)?.TryGetValue(out string? p) == true ? p : null;
        var calls = new List<LlmToolCall>();
        if (obj["toolCalls"] is JsonArray array && !string.Equals(action, AnswerAction, StringComparison.OrdinalIgnoreCase))
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonObject call || (call["name"] as JsonValue)?.TryGetValue(out string? name) != true || string.IsNullOrWhiteSpace(name))
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"toolCalls[{i}] has no name."));
                }

                var id = (call["id"] as JsonValue)?.TryGetValue(out string? given) == true && !string.IsNullOrWhiteSpace(given) ? given : null;
                if (id is null || !ids.Add(id))
                {
                    id = string.Create(CultureInfo.InvariantCulture, $"call_{step}_{i + 1}");
                    ids.Add(id);
                }

                var arguments = call["arguments"] switch
                {
                    null => "{}",
                    JsonValue value when value.TryGetValue(out string? text) => text,
                    var node => node.ToJsonString(),
                };
                calls.Add(new LlmToolCall(id, name, arguments));
            }
        }

        if (calls.Count > 0)
        {
            return (new JsonPlan(plan, calls, null), null);
        }

        if (answer is not null)
        {
            return (new JsonPlan(plan, [], answer), null);
        }

        return (null, string.Equals(action, CallTools, StringComparison.OrdinalIgnoreCase)
            ? "action is call_tools but toolCalls lists no call."
            : "the reply has neither toolCalls nor an answer.");
    }
}
