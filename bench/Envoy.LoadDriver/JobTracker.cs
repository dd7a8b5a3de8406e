using System.Collections.Concurrent;
using System.Diagnostics;

namespace Envoy.LoadDriver;

/// <summary>
/// What the handlers and the scheduler's event stream saw, kept outside the jobs: how many times each handler of each job
/// ran (the exactly-once and order check), when each job was scheduled and first started, and each step's latency.
/// All times are <see cref="Stopwatch"/> ticks.
/// </summary>
internal sealed class JobTracker : IObserver<SchedulerEvent>
{
    private readonly ConcurrentDictionary<string, JobTrack> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly string _topFlow;
    private readonly long[] _stepLatencies;
    private int _stepLatencyCount;
    private long _stepsCommitted;
    private long _jobsFinished;
    private long _topFinished;
    private long _jobsNotDone;
    private long _stepsStarted;
    private long _lastTopFinishTs;
    private long _externalTopFinished;
    private TaskCompletionSource? _probe;

    public JobTracker(string topFlow, int maxStepSamples)
    {
        _topFlow = topFlow;
        _stepLatencies = new long[maxStepSamples];
    }

    public long StepsCommitted => Interlocked.Read(ref _stepsCommitted);

    public long StepsStarted => Interlocked.Read(ref _stepsStarted);

    public long JobsFinished => Interlocked.Read(ref _jobsFinished);

    public long TopFinished => Math.Max(Interlocked.Read(ref _topFinished), Interlocked.Read(ref _externalTopFinished));

    /// <summary>Also called first thing in every handler (the cross-process counter), when set.</summary>
    public Action<StateContext>? OnHit { get; set; }

    /// <summary>False when several processes share the jobs: this process sees only some steps of a job, so order is checked from the stored history instead.</summary>
    public bool CheckOrder { get; set; } = true;

    /// <summary>Top-level jobs finished in every process (read from the store by the driver when there are several processes).</summary>
    public void SetExternalTopFinished(long count)
    {
        if (count > Interlocked.Exchange(ref _externalTopFinished, count))
        {
            Interlocked.Exchange(ref _lastTopFinishTs, Stopwatch.GetTimestamp());
        }
    }

    public long JobsNotDone => Interlocked.Read(ref _jobsNotDone);

    public long LastTopFinishTs => Interlocked.Read(ref _lastTopFinishTs);

    public int JobCount => _jobs.Count;

    public IEnumerable<KeyValuePair<string, JobTrack>> Jobs => _jobs;

    public IReadOnlyCollection<string> Problems => _problems;

    public JobTrack? Find(string jobId) => _jobs.TryGetValue(jobId, out var track) ? track : null;

    /// <summary>Called by the producer right after <c>ScheduleAsync</c> returned, with the time taken just before calling it.</summary>
    public JobTrack Scheduled(string jobId, int handlers, long beforeScheduleTs)
    {
        var track = _jobs.GetOrAdd(jobId, static (_, n) => new JobTrack(n), handlers);
        track.ScheduledTs = beforeScheduleTs;
        return track;
    }

    /// <summary>Called first thing in handler <paramref name="index"/> of a job whose flow has <paramref name="handlers"/> handlers.</summary>
    public void Hit(StateContext ctx, int index, int handlers)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _stepsStarted);
        if (ctx.JobId is not { } id)
        {
            Problem("a handler ran without a job id");
            return;
        }

        OnHit?.Invoke(ctx);
        var track = _jobs.GetOrAdd(id, static (_, n) => new JobTrack(n), handlers);
        Interlocked.CompareExchange(ref track.FirstStartTs, now, 0);
        Volatile.Write(ref track.LastStartTs, now);
        for (var j = 0; CheckOrder && j < track.Hits.Length; j++)
        {
            var seen = Volatile.Read(ref track.Hits[j]);
            if ((j < index && seen != 1) || (j >= index && seen != 0))
            {
                track.OrderError = true;
                Problem($"job {id}: handler {index} ({ctx.State}, step {ctx.Step}) ran when handler {j} had run {seen} time(s)");
                break;
            }
        }

        Interlocked.Increment(ref track.Hits[index]);
    }

    /// <summary>Completes when the next top-level job finishes (the latency probe runs one job at a time).</summary>
    public Task ExpectOneTopFinish()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _probe, tcs);
        return tcs.Task;
    }

    /// <summary>Step latencies recorded so far (the index to pass to <see cref="StepLatencies"/>).</summary>
    public int StepLatencyCount => Math.Min(Volatile.Read(ref _stepLatencyCount), _stepLatencies.Length);

    /// <summary>The step latencies recorded between two values of <see cref="StepLatencyCount"/>.</summary>
    public long[] StepLatencies(int from, int to) => _stepLatencies[from..to];

    public void Problem(string message)
    {
        if (_problems.Count < 50)
        {
            _problems.Enqueue(message);
        }
    }

    public void OnNext(SchedulerEvent value)
    {
        switch (value)
        {
            case StepCompletedEvent step:
                var now = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _stepsCommitted);
                if (_jobs.TryGetValue(step.JobId, out var track))
                {
                    var i = Interlocked.Increment(ref _stepLatencyCount) - 1;
                    if (i < _stepLatencies.Length)
                    {
                        _stepLatencies[i] = now - Volatile.Read(ref track.LastStartTs);
                    }
                }

                if (step.Status is not (JobStatus.Running or JobStatus.Blocking or JobStatus.Done))
                {
                    Problem($"job {step.JobId}: step {step.Step} ({step.State}) committed with status {step.Status}");
                }

                break;
            case JobFinishedEvent finished:
                Interlocked.Increment(ref _jobsFinished);
                if (finished.Status != JobStatus.Done)
                {
                    Interlocked.Increment(ref _jobsNotDone);
                    Problem($"job {finished.JobId} ({finished.Flow}) ended {finished.Status}: {finished.Error}");
                }

                if (string.Equals(finished.Flow, _topFlow, StringComparison.Ordinal))
                {
                    Interlocked.Exchange(ref _lastTopFinishTs, Stopwatch.GetTimestamp());
                    Interlocked.Increment(ref _topFinished);
                    Interlocked.Exchange(ref _probe, null)?.TrySetResult();
                }

                break;
            default:
                break;
        }
    }

    public void OnError(Exception error) => Problem("event stream error: " + error.Message);

    public void OnCompleted()
    {
    }
}

/// <summary>One job as its handlers saw it.</summary>
internal sealed class JobTrack(int handlers)
{
#pragma warning disable CA1051 // Fields, so that handlers can update them with Interlocked.
    public readonly int[] Hits = new int[handlers];
    public long ScheduledTs;
    public long ScheduledUs;
    public long FirstStartTs;
    public long LastStartTs;
    public volatile bool OrderError;
#pragma warning restore CA1051
}
