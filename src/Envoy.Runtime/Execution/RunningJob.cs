using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>A job this worker holds: its identity, commit version and cancellation.</summary>
internal sealed class RunningJob(JobRecord record, int maxRetries) : IDisposable
{
    private bool _committing;

    public string Id { get; } = record.Id;

    public string Flow { get; } = record.Flow;

    public int Priority { get; } = record.Priority;

    public string? ParentId { get; } = record.ParentId;

    /// <summary>The trace context stored with the job (<see cref="JobRecord.TraceParent"/>): its step spans link to it.</summary>
    public string? TraceParent { get; } = record.TraceParent;

    public int MaxRetries { get; } = maxRetries;

    /// <summary>The job's concurrency limit (<see cref="JobRecord.ConcurrencyLimit"/>): when it stops running, its slot frees.</summary>
    public int? ConcurrencyLimit { get; } = record.ConcurrencyLimit;

    /// <summary>The job's concurrency key (<see cref="JobRecord.ConcurrencyKey"/>; empty: none): its flow's rate limit is per key.</summary>
    public string ConcurrencyKey { get; } = record.ConcurrencyKey;

    public int Retries { get; } = record.Retries;

    public long Version { get; set; } = record.Version;

    public bool HasResolutions { get; set; } = record.Resolutions.Count > 0;

    /// <summary>
    /// True while a commit of this job is queued or being written. A renewal that misses the job then proves nothing: the
    /// commit may have just finished it, and the commit's own outcome says whether the lease was still held.
    /// </summary>
    public bool Committing
    {
        get => Volatile.Read(ref _committing);
        set => Volatile.Write(ref _committing, value);
    }

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Why <see cref="Cancellation"/> fired.</summary>
    public JobStopReason StopReason { get; private set; }

    public void Stop(JobStopReason reason)
    {
        if (StopReason == JobStopReason.None)
        {
            StopReason = reason;
        }

        try
        {
            Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job already ended.
        }
    }

    public void Dispose() => Cancellation.Dispose();
}

/// <summary>Why a running job's step was signalled.</summary>
internal enum JobStopReason
{
    /// <summary>Not signalled.</summary>
    None,

    /// <summary>The job was cancelled or failed by hand.</summary>
    Cancelled,

    /// <summary>The worker is stopping.</summary>
    Stopping,

    /// <summary>Another worker took the job over.</summary>
    LeaseLost,
}
