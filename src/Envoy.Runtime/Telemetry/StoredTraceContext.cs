using System.Diagnostics;

namespace Envoy;

/// <summary>
/// The W3C trace context stored with a job (<c>NewJob.TraceParent</c>): the <c>traceparent</c> of the span current when the job
/// was scheduled (or of the parent's step span, for a child), then a line feed and the <c>tracestate</c> when there is one. A
/// step's span links to it, in whichever process runs the step.
/// </summary>
internal static class StoredTraceContext
{
    private const char Separator = '\n';

    /// <summary>The current span's context as stored text, or null when there is no current W3C span (nothing is stored then).</summary>
    public static string? Capture()
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current)
        {
            return null;
        }

        var state = current.TraceStateString;
        return string.IsNullOrEmpty(state) ? current.Id : current.Id + Separator + state;
    }

    /// <summary>The span context of stored text; false for none or for text that is not a W3C trace context.</summary>
    public static bool TryParse(string? text, out ActivityContext context)
    {
        context = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var split = text.IndexOf(Separator, StringComparison.Ordinal);
        return split < 0
            ? ActivityContext.TryParse(text, null, isRemote: true, out context)
            : ActivityContext.TryParse(text[..split], text[(split + 1)..], isRemote: true, out context);
    }
}
