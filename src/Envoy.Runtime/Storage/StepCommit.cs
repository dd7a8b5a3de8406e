namespace Envoy.Runtime.Storage;

/// <summary>
/// The commit of one step of a claimed job: applied only if the job still has <see cref="ExpectedVersion"/> and its lease
/// belongs to <see cref="Owner"/>. Everything in it (context, events, children, waits, escalations) is one transaction.
/// </summary>
public sealed record StepCommit
{
    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>The worker holding the lease.</summary>
    public required string Owner { get; init; }

    /// <summary>The version the worker read; the commit sets it + 1.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The new status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>The new context as JSON.</summary>
    public required string ContextJson { get; init; }

    /// <summary>The commit time.</summary>
    public required long NowMs { get; init; }

    /// <summary>
    /// When the worker keeps running the job: its renewed lease end (a store may keep the current end while more than half of
    /// the lease from <see cref="NowMs"/> to this end remains); otherwise the lease is released.
    /// </summary>
    public long? LeaseUntilMs { get; init; }

    /// <summary>The job's error (a failed step).</summary>
    public string? Error { get; init; }

    /// <summary>The job's retry count.</summary>
    public int Retries { get; init; }

    /// <summary>For a retry: not before this time.</summary>
    public long? RunAtMs { get; init; }

    /// <summary>For a terminal commit of a child: the final output passed to the parent's wait.</summary>
    public string? OutputJson { get; init; }

    /// <summary>Children created by this step.</summary>
    public IReadOnlyList<NewJob> Children { get; init; } = [];

    /// <summary>Waits registered by this step.</summary>
    public IReadOnlyList<NewWait> Waits { get; init; } = [];

    /// <summary>Escalations registered by this step.</summary>
    public IReadOnlyList<NewEscalation> Escalations { get; init; } = [];

    /// <summary>History entries.</summary>
    public IReadOnlyList<JobEvent> Events { get; init; } = [];

    /// <summary>True when the step applied resolved waits: they are marked consumed.</summary>
    public bool ConsumedWaits { get; init; }

    /// <summary>
    /// The job's parent as the worker read it when it claimed the job (null: none). A hint that lets a store plan its round
    /// trips; a store never trusts it for correctness and finds the parent of a finishing job itself.
    /// </summary>
    public string? ParentId { get; init; }

    /// <summary>
    /// Why the job, given back as pending, waits (a rate limit refused its step: <see cref="Job.WaitingReason"/>); stored with
    /// the job by this commit, and cleared (null) by any other.
    /// </summary>
    public string? WaitingReason { get; init; }
}
