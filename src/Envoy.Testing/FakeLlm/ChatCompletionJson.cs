using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Testing;

/// <summary>Writes OpenAI chat-completion bodies, stream chunks and error bodies for a scripted response.</summary>
internal static class ChatCompletionJson
{
    // A fixed creation time keeps the fake's answers deterministic (the clients only echo it).
    private const long Created = 1_700_000_000;

    public static JsonObject Completion(FakeLlmResponse response, FakeLlmRequest request)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = response.ToolCalls.Count > 0 && string.IsNullOrEmpty(response.Content) ? null : response.Content ?? string.Empty };
        if (response.ToolCalls.Count > 0)
        {
            var calls = new JsonArray();
            for (var i = 0; i < response.ToolCalls.Count; i++)
            {
                calls.Add(ToolCall(response.ToolCalls[i], request, i));
            }

            message["tool_calls"] = calls;
        }

        return new JsonObject
        {
            ["id"] = Id(request),
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = request.Model ?? "fake-model",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = FinishReason(response) }),
            ["usage"] = Usage(response, request),
        };
    }

    /// <summary>The chunks of a streamed completion, without the closing <c>[DONE]</c>.</summary>
    public static IEnumerable<JsonObject> Chunks(FakeLlmResponse response, FakeLlmRequest request)
    {
        yield return Chunk(request, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null);
        foreach (var piece in response.Chunks ?? Split(response.Content ?? string.Empty))
        {
            yield return Chunk(request, new JsonObject { ["content"] = piece }, null);
        }

        for (var i = 0; i < response.ToolCalls.Count; i++)
        {
            var call = ToolCall(response.ToolCalls[i], request, i);
            var arguments = call["function"]!["arguments"]!.GetValue<string>();
            var half = arguments.Length / 2;
            var first = new JsonObject
            {
                ["index"] = i,
                ["id"] = call["id"]!.DeepClone(),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call["function"]!["name"]!.DeepClone(), ["arguments"] = arguments[..half] },
            };
            yield return Chunk(request, new JsonObject { ["tool_calls"] = new JsonArray(first) }, null);
            var rest = new JsonObject { ["index"] = i, ["function"] = new JsonObject { ["arguments"] = arguments[half..] } };
            yield return Chunk(request, new JsonObject { ["tool_calls"] = new JsonArray(rest) }, null);
        }

        yield return Chunk(request, new JsonObject(), FinishReason(response));
        if ((request.Body["stream_options"]?["include_usage"] as JsonValue)?.TryGetValue(out bool include) == true && include)
        {
            var usage = Chunk(request, null, null);
            usage["usage"] = Usage(response, request);
            yield return usage;
        }
    }

    public static JsonObject Error(FakeLlmResponse response) => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = response.ErrorMessage,
            ["type"] = response.ErrorType,
            ["param"] = null,
            ["code"] = response.ErrorCode,
        },
    };

    public static JsonObject Error(string message, string type, string code) => Error(FakeLlmResponse.Error(400, type, code, message));

    private static JsonObject Chunk(FakeLlmRequest request, JsonObject? delta, string? finishReason) => new()
    {
        ["id"] = Id(request),
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = request.Model ?? "fake-model",
        ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason }),
    };

    private static JsonObject ToolCall(FakeToolCall call, FakeLlmRequest request, int index) => new()
    {
        ["id"] = call.Id ?? string.Create(CultureInfo.InvariantCulture, $"call_{request.Number}_{index + 1}"),
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = call.Name,
            ["arguments"] = call.Arguments switch
            {
                null => "{}",
                string text => text,
                var value => JsonSerializer.Serialize(value, JsonSerializerOptions.Web),
            },
        },
    };

    private static JsonObject Usage(FakeLlmResponse response, FakeLlmRequest request)
    {
        var input = response.InputTokens ?? Math.Max(1, request.Messages.Sum(m => m.ToJsonString().Length) / 4);
        var output = response.OutputTokens ?? Math.Max(1, ((response.Content?.Length ?? 0) + response.ToolCalls.Sum(c => c.Name.Length + 16)) / 4);
        return new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };
    }

    private static string FinishReason(FakeLlmResponse response) => response.ToolCalls.Count > 0 ? "tool_calls" : "stop";

    private static string Id(FakeLlmRequest request) => string.Create(CultureInfo.InvariantCulture, $"chatcmpl-fake-{request.Number}");

    private static List<string> Split(string text)
    {
        var pieces = new List<string>();
        for (var i = 0; i < text.Length; i += 8)
        {
            pieces.Add(text.Substring(i, Math.Min(8, text.Length - i)));
        }

        return pieces;
    }
}
