using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Envoy;

/// <summary>
/// The agents package's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>Envoy</c> like the runtime's: each
/// LLM call is a span <c>chat {model}</c> with the OpenTelemetry GenAI attributes, and its tokens are counted on
/// <c>envoy.llm.tokens</c> (by model and type). Nothing is allocated while nobody listens.
/// </summary>
internal static class LlmTelemetry
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string SystemName = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string TokenType = "gen_ai.token.type";
    public const string ToolName = "gen_ai.tool.name";

    private static readonly string? Version = typeof(LlmTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new("Envoy", Version);

    public static readonly Meter Meter = new("Envoy", Version);

    public static readonly Counter<long> Tokens =
        Meter.CreateCounter<long>("envoy.llm.tokens", "{token}", "LLM tokens used, by model (gen_ai.request.model) and type (gen_ai.token.type: input or output).");

    /// <summary>Starts the span of one chat call (null while nobody listens).</summary>
    public static Activity? StartChat(string? provider, string model)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("chat " + model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(OperationName, "chat");
            activity.SetTag(ProviderName, provider ?? "unknown");
            activity.SetTag(SystemName, provider ?? "unknown");
            activity.SetTag(RequestModel, model);
        }

        return activity;
    }

    /// <summary>Starts the span of one tool call, <c>execute_tool {tool}</c> (null while nobody listens).</summary>
    public static Activity? StartTool(string tool, string callId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("execute_tool " + tool, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(OperationName, "execute_tool");
            activity.SetTag(ToolName, tool);
            activity.SetTag("gen_ai.tool.call.id", callId);
        }

        return activity;
    }

    /// <summary>Records a call's usage on its span and on the token counter.</summary>
    public static void Record(Activity? activity, string model, string? responseModel, LlmUsage? usage, string? finishReason)
    {
        if (usage is not null && Tokens.Enabled)
        {
            var byModel = new KeyValuePair<string, object?>(RequestModel, model);
            Tokens.Add(usage.InputTokens, byModel, new KeyValuePair<string, object?>(TokenType, "input"));
            Tokens.Add(usage.OutputTokens, byModel, new KeyValuePair<string, object?>(TokenType, "output"));
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ResponseModel, responseModel ?? model);
            if (usage is not null)
            {
                activity.SetTag(InputTokens, usage.InputTokens);
                activity.SetTag(OutputTokens, usage.OutputTokens);
            }

            if (finishReason is not null)
            {
                activity.SetTag(FinishReasons, new[] { finishReason });
            }
        }
    }

    /// <summary>Marks a call's span failed.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.SetTag("error.type", error.GetType().FullName);
        }
    }
}
