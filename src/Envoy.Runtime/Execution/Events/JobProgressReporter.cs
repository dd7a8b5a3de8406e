using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The progress reporter of one running job (set on its context while its steps run): turns <c>ctx.Report</c> into
/// <see cref="JobProgressEvent"/>s on the scheduler's event hub (and from there to the store-wide feed of every process).
/// Coalesced: the first report after a quiet <see cref="JobProgressLimits.Interval"/> is published at once, later ones wait
/// for the end of the interval and only the latest is published then; <see cref="Flush"/> (at the end of each step) publishes a
/// waiting report at once, so a step's last report always goes out, before the step's own events. Never blocks the step:
/// publishing only queues; nothing is serialized while nobody listens; a value that cannot be serialized, or is larger than
/// <see cref="JobProgressLimits.MaxJsonLength"/>, is refused (counted, logged once per job), never thrown.
/// </summary>
internal sealed class JobProgressReporter : IProgressReporter, IDisposable
{
    private readonly RuntimeServices _services;
    private readonly string _jobId;
    private readonly string _flow;
    private readonly Lock _gate = new();
    private long _sequence;
    private long _lastPublished = long.MinValue;
    private JobProgressEvent? _waiting;
    private ITimer? _timer;
    private bool _refusalLogged;
    private bool _disposed;

    public JobProgressReporter(RuntimeServices services, string jobId, string flow)
    {
        _services = services;
        _jobId = jobId;
        _flow = flow;
    }

    private ProgressCounters Counters => _services.Progress;

    public void Report(StateContext context, object? progress)
    {
        ArgumentNullException.ThrowIfNull(context);
        Counters.AddReported();
        if (!_services.Events.HasObservers)
        {
            Counters.AddUnheard();
            return;
        }

        if (ToJson(progress) is not (true, var node))
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                Counters.AddUnheard();
                return;
            }

            var e = new JobProgressEvent(_jobId, _services.Time.GetUtcNow(), _flow, context.State, context.Step, ++_sequence, node);
            if (_timer is not null)
            {
                _waiting = e; // the timer publishes the latest
                return;
            }

            var since = _lastPublished == long.MinValue ? JobProgressLimits.Interval : _services.Time.GetElapsedTime(_lastPublished);
            if (since >= JobProgressLimits.Interval)
            {
                Publish(e);
                return;
            }

            _waiting = e;
            _timer = _services.Time.CreateTimer(static state => ((JobProgressReporter)state!).Flush(), this, JobProgressLimits.Interval - since, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Publishes the waiting report, if any, now.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (_waiting is { } e)
            {
                _waiting = null;
                Publish(e);
            }
        }
    }

    /// <summary>Publishes what waits, then ignores further reports (the job's run ended here).</summary>
    public void Dispose()
    {
        Flush();
        lock (_gate)
        {
            _disposed = true;
        }
    }

    /// <summary>Called under the lock, so that events leave in report order; only queues.</summary>
    private void Publish(JobProgressEvent e)
    {
        _lastPublished = _services.Time.GetTimestamp();
        _services.Events.Publish(e);
        Counters.AddPublished();
    }

    private (bool Ok, JsonNode? Node) ToJson(object? progress)
    {
        JsonNode? node;
        try
        {
            node = progress switch
            {
                null => null,
                JsonNode given => given.DeepClone(),
                _ => JsonSerializer.SerializeToNode(progress, progress.GetType(), EnvoyJson.Options),
            };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            Refuse(() => RuntimeLog.ProgressUnserializable(_services.Logger, ex, _jobId));
            return (false, null);
        }

        var length = node?.ToJsonString().Length ?? 4;
        if (length > JobProgressLimits.MaxJsonLength)
        {
            Refuse(() => RuntimeLog.ProgressTooLarge(_services.Logger, _jobId, length, JobProgressLimits.MaxJsonLength));
            return (false, null);
        }

        return (true, node);
    }

    private void Refuse(Action log)
    {
        Counters.AddRefused();
        lock (_gate)
        {
            if (_refusalLogged)
            {
                return;
            }

            _refusalLogged = true;
        }

        log();
    }
}
