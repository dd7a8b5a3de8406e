using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class ToolAgent
{
    /// <summary>
    /// The longest text a streamed-answer progress report carries, as JSON (well within the runtime's 4096-character limit
    /// of one progress value, <c>JobProgressLimits.MaxJsonLength</c>): a longer answer is reported by its last part.
    /// </summary>
    internal const int MaxReportedTextJsonLength = 3900;

    /// <summary>
    /// Whether this Plan step streams its model call: the provider streams, the step runs where progress is heard (a scheduled
    /// job; or a context given a <see cref="StateContext.ProgressReporter"/>), and the reply is the answer itself (native
    /// planning; a JSON plan's text is not).
    /// </summary>
    private bool StreamsTo(StateContext ctx) =>
        ctx.ProgressReporter is not null && _provider is IStreamingLlmProvider && _options.PlanningMode == PlanningMode.Native;

    /// <summary>
    /// One model call, streamed: each piece of text is reported as progress (<see cref="AnswerProgress"/>) as it arrives, and the
    /// pieces make the same <see cref="LlmResponse"/> a plain call would have returned.
    /// </summary>
    private async Task<LlmResponse> GenerateStreamingAsync(List<LlmMessage> conversation, StateContext ctx)
    {
        var provider = (IStreamingLlmProvider)_provider;
        var text = new System.Text.StringBuilder();
        var calls = new List<LlmToolCall>();
        var usage = LlmUsage.Zero;
        string? finishReason = null;
        await foreach (var update in provider.GenerateStreamingAsync(conversation, _callConfig, ctx.CancellationToken).ConfigureAwait(false))
        {
            calls.AddRange(update.ToolCalls);
            usage += update.Usage ?? LlmUsage.Zero;
            finishReason = update.FinishReason ?? finishReason;
            if (update.Text.Length > 0)
            {
                text.Append(update.Text);
                if (calls.Count == 0)
                {
                    ctx.Report(AnswerProgress(text));
                }
            }
        }

        var full = text.ToString();
        return new LlmResponse
        {
            Text = full,
            ToolCalls = calls,
            Data = LlmReplyParser.Parse(full, _callConfig.Mode ?? LlmMode.Text, calls.Count > 0),
            Usage = usage,
            FinishReason = finishReason,
        };
    }

    /// <summary>
    /// The progress of an answer being written: <c>{"kind":"answer","text":…,"offset":…,"length":…}</c>, where <c>text</c> is
    /// the answer so far from character <c>offset</c> on (0 unless the answer is too long for one report, then its last part)
    /// and <c>length</c> the whole answer's length so far.
    /// </summary>
    internal static JsonObject AnswerProgress(System.Text.StringBuilder answer)
    {
        var take = Math.Min(answer.Length, MaxReportedTextJsonLength);
        string tail;
        while (true)
        {
            var offset = answer.Length - take;
            if (offset > 0 && char.IsLowSurrogate(answer[offset]))
            {
                take--;
                continue;
            }

            tail = answer.ToString(offset, take);
            if (JsonEncodedText.Encode(tail).Value.Length <= MaxReportedTextJsonLength)
            {
                break;
            }

            take = take * 3 / 4;
        }

        return new JsonObject
        {
            ["kind"] = "answer",
            ["text"] = tail,
            ["offset"] = answer.Length - take,
            ["length"] = answer.Length,
        };
    }
}
