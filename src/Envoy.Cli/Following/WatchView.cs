using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Envoy.Cli.Following;

/// <summary>
/// What <c>envoy watch</c> shows: the job's status, state and step, its latest progress (a streamed agent answer as its text so
/// far), and its last events, newest last. In the plain output a progress event is one line: the value as JSON, or for a streamed
/// answer (<c>{"kind":"answer","text":…,"offset":…}</c>) only the text added since the previous line.
/// </summary>
internal sealed class WatchView
{
    /// <summary>How many events the view keeps.</summary>
    public const int LastEvents = 10;

    private readonly Queue<string> _events = new();
    private readonly Lock _gate = new();
    private string _answer = string.Empty;
    private int _answerEnd;
    private int? _answerStep;

    /// <summary>The latest progress shown: a streamed answer's text so far, or the last value as JSON; null before any.</summary>
    public string? Progress { get; private set; }

    /// <summary>The job as last read or deduced from an event.</summary>
    public JobView? Job { get; private set; }

    /// <summary>Takes the job as read from the API.</summary>
    public void OnJob(JobView job)
    {
        lock (_gate)
        {
            Job = job;
        }
    }

    /// <summary>Takes one event of the stream; returns its line for the plain (redirected) output.</summary>
    public string OnEvent(ServerSentEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        JobEventData? data = null;
        try
        {
            data = JsonSerializer.Deserialize(e.Data, CliJsonContext.Default.JobEventData);
        }
        catch (JsonException)
        {
            // An event this CLI does not know the shape of: shown by kind only.
        }

        lock (_gate)
        {
            var line = e.Event == ServerSentEvent.Progress ? DescribeProgress(data) : Describe(e.Event, data);
            if (e.Event == ServerSentEvent.Progress)
            {
                return line; // not an entry of the event list: the progress row shows the latest
            }

            _events.Enqueue(line);
            while (_events.Count > LastEvents)
            {
                _events.Dequeue();
            }

            if (Job is { } job && data is not null)
            {
                Job = e.Event switch
                {
                    "stepStarted" => job with { Status = JobStatuses.Running, State = data.State ?? job.State, Step = data.Step ?? job.Step },
                    "stepCompleted" => job with { State = data.State ?? job.State, Step = data.Step ?? job.Step, Status = data.Status ?? job.Status },
                    ServerSentEvent.JobFinished => job with { Status = data.Status ?? job.Status, Error = data.Error ?? job.Error },
                    _ => job,
                };
            }

            return line;
        }
    }

    /// <summary>The view as a renderable for the live display.</summary>
    public IRenderable Render()
    {
        lock (_gate)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            if (Job is { } job)
            {
                grid.AddRow(new Text("job", new Style(decoration: Decoration.Bold)), Show.Cell($"{job.Id} ({job.Flow})"));
                grid.AddRow(new Text("status", new Style(decoration: Decoration.Bold)), Show.Status(job.Status));
                grid.AddRow(new Text("state", new Style(decoration: Decoration.Bold)), Show.Cell($"{job.State} (step {job.Step.ToString(CultureInfo.InvariantCulture)})"));
                if (job.Error is { Length: > 0 } error)
                {
                    grid.AddRow(new Text("error", new Style(decoration: Decoration.Bold)), Show.Cell(error));
                }
            }

            if (Progress is { } progress)
            {
                var shown = progress.Length > ProgressShown ? "…" + progress[^ProgressShown..] : progress;
                grid.AddRow(new Text("progress", new Style(decoration: Decoration.Bold)), Show.Cell(shown));
            }

            var events = new Rows(_events.Select(l => (IRenderable)new Text(l)).DefaultIfEmpty(new Text("(no events yet)")));
            return new Rows(grid, new Panel(events).Header("last events").Border(BoxBorder.Rounded));
        }
    }

    /// <summary>How many characters of the latest progress the live view shows (the last ones).</summary>
    public const int ProgressShown = 600;

    /// <summary>Called under the lock: updates <see cref="Progress"/>; returns the plain output's line.</summary>
    private string DescribeProgress(JobEventData? data)
    {
        var value = data?.Progress;
        if (value is JsonObject { } answer && (answer["kind"] as JsonValue)?.TryGetValue(out string? kind) == true && kind == "answer"
            && (answer["text"] as JsonValue)?.TryGetValue(out string? text) == true)
        {
            var offset = (answer["offset"] as JsonValue)?.TryGetValue(out int o) == true ? o : 0;
            if (data!.Step != _answerStep)
            {
                _answerStep = data.Step; // another model call: another answer
                _answerEnd = 0;
            }

            var end = offset + text!.Length;
            string added;
            if (offset <= _answerEnd && end >= _answerEnd)
            {
                added = text[(_answerEnd - offset)..];
                _answer = offset == 0 ? text : _answer + added;
            }
            else
            {
                added = text; // a new answer (another model call), or a gap: shown whole
                _answer = text;
            }

            _answerEnd = end;
            Progress = _answer;
            return "answer: " + added;
        }

        var json = value?.ToJsonString() ?? "null";
        Progress = json;
        return $"progress {data?.State} (step {data?.Step}): {json}";
    }

    private static string Describe(string kind, JobEventData? data)
    {
        var at = data?.At is { } time ? time.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " : string.Empty;
        var detail = kind switch
        {
            "stepStarted" => $"{data?.State} (step {data?.Step})",
            "stepCompleted" => FormattableString.Invariant($"{data?.State} (step {data?.Step}) -> {data?.Status}, {data?.DurationMs:0.#} ms"),
            ServerSentEvent.JobFinished => data?.Error is { Length: > 0 } error ? $"{data.Status}: {error}" : data?.Status,
            _ => null,
        };
        return $"{at}{kind}{(string.IsNullOrEmpty(detail) ? string.Empty : " " + detail)}";
    }
}
