using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Envoy.PgWorker;

/// <summary>
/// The worker's span exporter: every span of the <c>Envoy</c> source that ends is printed on standard output as one line
/// <c>SPAN {json}</c> (name, trace id, span id, parent span id, links, tags as text, and this process's id), for a test in
/// another process to read.
/// </summary>
public static class SpanPrinter
{
    /// <summary>The prefix of each span's line.</summary>
    public const string Prefix = "SPAN ";

    private static readonly Lock Gate = new();
    private static ActivityListener? _listener;

    /// <summary>Starts printing (once per process).</summary>
    public static void Start()
    {
        lock (Gate)
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == EnvoyTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Print,
            };
            ActivitySource.AddActivityListener(_listener);
        }
    }

    private static void Print(Activity activity)
    {
        var links = new JsonArray();
        foreach (var link in activity.Links)
        {
            links.Add(new JsonObject { ["traceId"] = link.Context.TraceId.ToHexString(), ["spanId"] = link.Context.SpanId.ToHexString() });
        }

        var tags = new JsonObject();
        foreach (var tag in activity.TagObjects)
        {
            tags[tag.Key] = tag.Value?.ToString();
        }

        var span = new JsonObject
        {
            ["name"] = activity.DisplayName,
            ["traceId"] = activity.TraceId.ToHexString(),
            ["spanId"] = activity.SpanId.ToHexString(),
            ["parentSpanId"] = activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
            ["links"] = links,
            ["tags"] = tags,
            ["pid"] = Environment.ProcessId,
        };
        Console.WriteLine(Prefix + span.ToJsonString());
    }
}
