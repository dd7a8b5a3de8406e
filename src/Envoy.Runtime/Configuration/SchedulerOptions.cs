namespace Envoy;

/// <summary>
/// The runtime settings of a scheduler: workers, retries, leases and limits, whatever the store. Validated once at start, with
/// every error listed, and copied when captured. <c>SchedulerConfig</c> (the Envoy package) adds the store to use.
/// </summary>
public class SchedulerOptions
{
    /// <summary>Jobs run in parallel in this process (default: the processor count).</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Retries per job after a failed step (default 3; 0 = never retry).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles, with jitter (default 200 ms).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest retry delay (default 10 s).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a worker owns a claimed job without renewing (default 30 s); renewed every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The safety-net poll for work when no wake-up arrives (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the maintenance leader (one started scheduler among all sharing the store) puts jobs with expired leases back
    /// to pending and wakes workers for delayed jobs that came due (default 1 s). Its lock lives three intervals.
    /// </summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most jobs claimed in one round trip (default 32).</summary>
    public int ClaimBatchSize { get; set; } = 32;

    /// <summary>
    /// The most jobs a worker claims beyond its free slots, to start each the moment a slot frees instead of after a claim
    /// round trip (default 8; at most <see cref="Concurrency"/> wait at once; 0 turns it off). Only while there is a backlog
    /// (the last claim found as many jobs as it asked for) and jobs run quickly (see <see cref="ClaimAheadMaxJobTime"/>): a job
    /// claimed ahead waits here for a slot rather than running at once in another worker. Such jobs are leased like running
    /// ones (renewed, cancellable) and go back to the queue unstarted when the scheduler stops.
    /// </summary>
    public int ClaimAhead { get; set; } = 8;

    /// <summary>
    /// Jobs are claimed ahead only while the jobs this worker ran lately held their slot at most this long on average
    /// (default 50 ms), so that a job claimed ahead never waits for long. Zero claims ahead only for jobs that take no time.
    /// </summary>
    public TimeSpan ClaimAheadMaxJobTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The most step commits grouped in one transaction (default 256).</summary>
    public int CommitBatchSize { get; set; } = 256;

    /// <summary>
    /// True (default): a job scheduled here, due now, while this scheduler is started and has a free worker slot, is inserted
    /// already claimed and starts in this process at once, without waiting for a claim round trip (eager start; the job's
    /// history still shows it scheduled, then claimed). A job with a concurrency limit starts so only when its key has a free
    /// slot, which the store counts as a claim does; otherwise it is inserted pending. Likewise a job whose timer this
    /// scheduler fires (a sleep ended, a wait timed out) starts here in the firing's transaction when a worker slot is free,
    /// a flow version it has, and no concurrency limit. False: every job goes through the queue and may start in any worker.
    /// </summary>
    public bool EagerStart { get; set; } = true;

    /// <summary>
    /// How many times a job may be taken over without a commit in between (its lease expired while it ran: its worker died or
    /// stopped renewing) before it fails (default 10). A step that kills its worker every time (out of memory, a stack
    /// overflow) so runs at most this many times, and the job then fails with an error saying so instead of looping forever.
    /// </summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The default of <see cref="MaxContextBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxContextBytes = 1024 * 1024;

    /// <summary>
    /// The largest context a job may store, in bytes of its UTF-8 JSON (default 1 MiB). A larger input is refused by
    /// <c>ScheduleAsync</c> (and a larger result by <c>ResolveBlockingJobAsync</c>) with a
    /// <see cref="ContextTooLargeException"/>, storing nothing; a step whose context (or a child's input) grows larger fails
    /// its job at once with an error giving the size and the limit, and nothing else of that step is stored.
    /// </summary>
    public int MaxContextBytes { get; set; } = DefaultMaxContextBytes;

    /// <summary>The default of <see cref="Retention"/>: 7 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a finished job (done, failed or cancelled) is kept after it finished (default 7 days; null keeps every job
    /// forever). Older ones are deleted with their history, waits and escalations by the maintenance leader, in small batches;
    /// a child only once its parent ended too. A flow may keep its jobs longer or shorter (<see cref="FlowOptions.Retention"/>).
    /// </summary>
    public TimeSpan? Retention { get; set; } = DefaultRetention;

    /// <summary>A name for this worker in leases and logs (default: machine, process id and a random suffix).</summary>
    public string? WorkerId { get; set; }

    /// <summary>Every problem with these settings (empty when valid).</summary>
    public virtual IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Concurrency < 1)
        {
            errors.Add($"Concurrency must be at least 1 (was {Concurrency}).");
        }

        if (MaxRetries < 0)
        {
            errors.Add($"MaxRetries cannot be negative (was {MaxRetries}).");
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add($"RetryBaseDelay cannot be negative (was {RetryBaseDelay}).");
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            errors.Add($"RetryMaxDelay ({RetryMaxDelay}) cannot be shorter than RetryBaseDelay ({RetryBaseDelay}).");
        }

        if (LeaseDuration < TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"LeaseDuration must be at least 100 ms (was {LeaseDuration}).");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"PollInterval must be positive (was {PollInterval}).");
        }

        if (MaintenanceInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"MaintenanceInterval must be at least 10 ms (was {MaintenanceInterval}).");
        }

        if (ClaimBatchSize < 1)
        {
            errors.Add($"ClaimBatchSize must be at least 1 (was {ClaimBatchSize}).");
        }

        if (ClaimAhead < 0)
        {
            errors.Add($"ClaimAhead must not be negative (was {ClaimAhead}).");
        }

        if (ClaimAheadMaxJobTime < TimeSpan.Zero)
        {
            errors.Add($"ClaimAheadMaxJobTime must not be negative (was {ClaimAheadMaxJobTime}).");
        }

        if (CommitBatchSize < 1)
        {
            errors.Add($"CommitBatchSize must be at least 1 (was {CommitBatchSize}).");
        }

        if (MaxAttempts < 1)
        {
            errors.Add($"MaxAttempts must be at least 1 (was {MaxAttempts}).");
        }

        if (MaxContextBytes < 1)
        {
            errors.Add($"MaxContextBytes must be positive (was {MaxContextBytes}).");
        }

        if (Retention is { } retention && retention <= TimeSpan.Zero)
        {
            errors.Add($"Retention must be positive, or null to keep finished jobs forever (was {retention}).");
        }

        return errors;
    }

    /// <summary>Throws <see cref="EnvoyConfigurationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new EnvoyConfigurationException(errors);
        }
    }

    /// <summary>
    /// A deep copy (of the same type), so that later changes to this instance, or to a settings object it holds, do not reach a
    /// running scheduler.
    /// </summary>
    public virtual SchedulerOptions Clone() => (SchedulerOptions)MemberwiseClone();
}
