using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Envoy;

/// <summary>Converts Envoy's messages, settings and replies to and from Microsoft.Extensions.AI types.</summary>
internal static class ChatMapping
{
    private const string AnyImage = "image/*";

    public static List<ChatMessage> ToChatMessages(IReadOnlyList<LlmMessage> messages)
    {
        var result = new List<ChatMessage>(messages.Count);
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            result.Add(message.Role switch
            {
                LlmRole.System => new ChatMessage(ChatRole.System, message.Content ?? string.Empty),
                LlmRole.User => new ChatMessage(ChatRole.User, UserContents(message)),
                LlmRole.Assistant => new ChatMessage(ChatRole.Assistant, AssistantContents(message)),
                _ => new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message.ToolCallId!, message.Content ?? string.Empty)]),
            });
        }

        return result;
    }

    public static ChatOptions ToChatOptions(LlmConfig config)
    {
        var options = new ChatOptions
        {
            ModelId = config.Model,
            Temperature = config.Temperature is { } t ? (float)t : null,
            MaxOutputTokens = config.MaxTokens,
            ResponseFormat = config.Mode == LlmMode.Json ? ChatResponseFormat.Json : null,
        };
        if (config.Tools is { Count: > 0 } tools)
        {
            options.Tools = [.. tools.Select(t => AIFunctionFactory.CreateDeclaration(t.Name, t.Description, JsonSerializer.SerializeToElement(t.Parameters)))];
            options.ToolMode = ChatToolMode.Auto;
        }

        return options;
    }

    public static LlmResponse ToResponse(ChatResponse response, LlmMode mode)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(ToToolCall).ToList();
        var text = response.Text ?? string.Empty;
        return new LlmResponse
        {
            Text = text,
            ToolCalls = calls,
            Data = LlmReplyParser.Parse(text, mode, calls.Count > 0),
            Usage = ToUsage(response.Usage) ?? LlmUsage.Zero,
            Model = response.ModelId,
            FinishReason = response.FinishReason?.Value,
        };
    }

    public static LlmStreamUpdate ToUpdate(ChatResponseUpdate update)
    {
        LlmUsage? usage = null;
        foreach (var content in update.Contents.OfType<UsageContent>())
        {
            usage = (usage ?? LlmUsage.Zero) + (ToUsage(content.Details) ?? LlmUsage.Zero);
        }

        return new LlmStreamUpdate
        {
            Text = update.Text ?? string.Empty,
            ToolCalls = [.. update.Contents.OfType<FunctionCallContent>().Select(ToToolCall)],
            Usage = usage,
            FinishReason = update.FinishReason?.Value,
        };
    }

    private static LlmUsage? ToUsage(UsageDetails? usage) =>
        usage is null ? null : new LlmUsage((int)(usage.InputTokenCount ?? 0), (int)(usage.OutputTokenCount ?? 0));

    private static LlmToolCall ToToolCall(FunctionCallContent call)
    {
        // Keep the model's own argument text when the client exposes it: invalid JSON must reach the agent as it was.
        var raw = call.RawRepresentation is OpenAI.Chat.ChatToolCall toolCall ? toolCall.FunctionArguments?.ToString() : null;
        var arguments = raw is { Length: > 0 } ? raw : call.Arguments is null ? "{}" : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions);
        if (call.Arguments is null && call.Exception is not null && raw is null)
        {
            arguments = string.Empty;
        }

        return new LlmToolCall(call.CallId, call.Name, arguments);
    }

    private static List<AIContent> UserContents(LlmMessage message)
    {
        var contents = new List<AIContent> { new TextContent(message.Content ?? string.Empty) };
        foreach (var image in message.Images)
        {
            contents.Add(image.Url is { } url ? new UriContent(url, image.MediaType ?? AnyImage) : new DataContent(image.Data, image.MediaType!));
        }

        return contents;
    }

    private static List<AIContent> AssistantContents(LlmMessage message)
    {
        var contents = new List<AIContent>();
        if (!string.IsNullOrEmpty(message.Content))
        {
            contents.Add(new TextContent(message.Content));
        }

        foreach (var call in message.ToolCalls)
        {
            contents.Add(new FunctionCallContent(call.Id, call.Name, ParseArguments(call.Arguments)));
        }

        return contents;
    }

    private static Dictionary<string, object?> ParseArguments(string arguments)
    {
        try
        {
            if (JsonNode.Parse(arguments) is JsonObject obj)
            {
                return obj.ToDictionary(p => p.Key, p => (object?)(p.Value is null ? null : JsonSerializer.SerializeToElement(p.Value)), StringComparer.Ordinal);
            }
        }
        catch (JsonException)
        {
            // The model wrote invalid arguments; the conversation still records the call, with no arguments.
        }

        return [];
    }
}
