using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;
using Envoy.Runtime.Execution.Events;

namespace Envoy;

public partial class Scheduler
{
    /// <summary>The youngest counts <see cref="GetJobStatsAsync"/> refreshes (see <see cref="StaleWhileRevalidate{T}"/>).</summary>
    private static readonly TimeSpan StatsCountsMinAge = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Creates a job of a registered flow and returns its id (one transaction: the job exists whole or not at all). Due now, on a
    /// started scheduler with a free worker slot, it starts here at once (<see cref="SchedulerOptions.EagerStart"/>).
    /// </summary>
    /// <exception cref="FlowNotFoundException">The flow is not registered.</exception>
    /// <exception cref="JobNotFoundException"><see cref="ScheduleOptions.ParentId"/> names no job.</exception>
    /// <exception cref="ContextValueException">The input cannot be written as JSON.</exception>
    /// <exception cref="IdempotencyConflictException">The idempotency key already names a job of another flow (nothing is created).</exception>
    /// <exception cref="ContextValueException">The input cannot be written as JSON, or holds a string with U+0000 (no store accepts it).</exception>
    /// <exception cref="ContextTooLargeException">The job's context with this input is larger than <see cref="SchedulerOptions.MaxContextBytes"/>.</exception>
    public async Task<string> ScheduleAsync(string flow, object? input = null, ScheduleOptions? options = null, CancellationToken cancellationToken = default) =>
        (await ScheduleJobAsync(flow, input, options, cancellationToken).ConfigureAwait(false)).Id;

    /// <summary>
    /// As <see cref="ScheduleAsync"/>, and says whether the job was created by this call: false when
    /// <see cref="ScheduleOptions.IdempotencyKey"/> already named a job of the same flow, whose id it returns (nothing is created
    /// then; the store decides, so of concurrent calls with one key exactly one creates the job).
    /// </summary>
    /// <exception cref="FlowNotFoundException">The flow is not registered.</exception>
    /// <exception cref="JobNotFoundException"><see cref="ScheduleOptions.ParentId"/> names no job.</exception>
    /// <exception cref="IdempotencyConflictException">The idempotency key already names a job of another flow (nothing is created).</exception>
    /// <exception cref="ContextValueException">The input cannot be written as JSON, or holds a string with U+0000 (no store accepts it).</exception>
    /// <exception cref="ContextTooLargeException">The job's context with this input is larger than <see cref="SchedulerOptions.MaxContextBytes"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="ScheduleOptions.ConcurrencyKey"/> is empty, only white space, longer than 200 characters or holds U+0000.</exception>
    public async Task<ScheduledJob> ScheduleJobAsync(string flow, object? input = null, ScheduleOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(flow);
        var newest = _services.Flows.TryGetNewest(flow) ?? throw new FlowNotFoundException(flow);
        var stateFlow = newest.Flow;

        options ??= new ScheduleOptions();
        if (options.Delay is { } delay && delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), delay, "ScheduleOptions.Delay cannot be negative.");
        }

        if (options.IdempotencyKey is { Length: 0 or > 512 })
        {
            throw new ArgumentException("ScheduleOptions.IdempotencyKey must be 1 to 512 characters.", nameof(options));
        }

        ConcurrencyKeys.ThrowIfInvalid(options.ConcurrencyKey, nameof(options));
        if (options.ParentId is { } parentId && await _services.Queries.GetJobAsync(parentId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new JobNotFoundException(parentId);
        }

        var now = _services.Time.GetUtcNow();
        var runAt = options.RunAt ?? now + (options.Delay ?? TimeSpan.Zero);
        var id = _services.NewJobId();
        var context = stateFlow.NewContext(input);
        context.JobId = id;
        var contextJson = context.Serialize();
        ContextLimits.ThrowIfRefused(contextJson, "input", _services.Config.MaxContextBytes);
        var job = new NewJob(id, flow, contextJson, options.Priority, runAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), options.ParentId, null, options.IdempotencyKey)
        {
            InputJson = JobInputs.ToJson(context.Input()),
            FlowVersion = newest.Version,
            TraceParent = StoredTraceContext.Capture(),
            ConcurrencyKey = options.ConcurrencyKey ?? string.Empty,
            ConcurrencyLimit = newest.Options.ConcurrencyLimit,
        };
        var eager = runAt <= now ? ReserveEagerStart() : null;
        if (eager is null)
        {
            var existing = await _services.Writes.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
            return string.Equals(existing, id, StringComparison.Ordinal)
                ? new ScheduledJob(id, Created: true) { Job = JobMapper.ToJob(job.ToPendingRecord()) }
                : new ScheduledJob(await SameFlowOrThrowAsync(existing, job, cancellationToken).ConfigureAwait(false), Created: false);
        }

        // Eager start: inserted already claimed by this worker, and run here at once, without a claim round trip. A limited job
        // only when its key has a free slot, which the store counts as a claim would; else it is inserted pending.
        job = job with { Lease = new JobLease(_services.WorkerId, _services.LeaseUntilMs) };
        CreatedJob created;
        try
        {
            created = job.ConcurrencyLimit is null
                ? new CreatedJob(await _services.Writes.CreateJobAsync(job, cancellationToken).ConfigureAwait(false), Started: true)
                : await _services.Writes.CreateLimitedJobAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            eager.CancelEager();
            throw;
        }

        var claimed = job.ToClaimedRecord();
        if (!string.Equals(created.Id, id, StringComparison.Ordinal))
        {
            // The idempotency key named an existing job: nothing was inserted, nothing to run.
            eager.CancelEager();
            return new ScheduledJob(await SameFlowOrThrowAsync(created.Id, job, cancellationToken).ConfigureAwait(false), Created: false);
        }

        if (created.Started)
        {
            eager.StartEager(claimed);
        }
        else
        {
            // Its key had no free slot: inserted pending, a claim admits it when one frees.
            eager.CancelEager();
            return new ScheduledJob(id, Created: true) { Job = JobMapper.ToJob(job.ToPendingRecord()) };
        }

        return new ScheduledJob(id, Created: true) { Job = JobMapper.ToJob(claimed) };
    }

    /// <summary>
    /// The idempotency key of <paramref name="job"/> already named <paramref name="existingId"/>: that job's id when it is of the
    /// same flow (the same request made again), else a conflict (a flow never changes, so reading it after the insert is safe).
    /// </summary>
    private async Task<string> SameFlowOrThrowAsync(string existingId, NewJob job, CancellationToken cancellationToken)
    {
        var existing = await _services.Queries.GetJobAsync(existingId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && !string.Equals(existing.Flow, job.Flow, StringComparison.Ordinal))
        {
            throw new IdempotencyConflictException(job.IdempotencyKey!, existingId, existing.Flow, job.Flow);
        }

        return existingId;
    }

    /// <summary>The started worker pool with a slot reserved for an eager start, or null (off, stopped, or every slot busy).</summary>
    private WorkerPool? ReserveEagerStart()
    {
        if (!_services.Config.EagerStart || Volatile.Read(ref _pool) is not { } pool)
        {
            return null;
        }

        return pool.TryReserveEager() ? pool : null;
    }

    /// <summary>The job with this id.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<Job> GetJobAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var record = await _services.Queries.GetJobAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
        return (await WaitingReasons.FillAsync([JobMapper.ToJob(record)], [record], _services.Queries, _services.NowMs, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// A job's status for display and polling: from the shared status cache when the store has one (Redis next to PostgreSQL;
    /// it may lag a commit by a moment), else from the store. Decide on <see cref="GetJobAsync"/>, which always reads the store.
    /// </summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<JobStatus> GetJobStatusAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _services.Queries.GetJobStatusAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
    }

    /// <summary>
    /// How many jobs are in each status (every status present): cached for about a second where the store has a status cache
    /// (Redis), else counted on each call (a full count: on a large store prefer <see cref="GetJobStatsAsync"/>).
    /// </summary>
    public Task<IReadOnlyDictionary<JobStatus, long>> GetJobCountsAsync(CancellationToken cancellationToken = default) =>
        _services.Queries.CountJobsAsync(cancellationToken);

    /// <summary>
    /// Counts by status and the queue's lag, for a dashboard's overview, quick however many jobs the store holds. The counts are
    /// served stale while they are refreshed in the background: a call returns the last counts at once and, when they are older
    /// than a second (or five times what the last count took, on a large store), starts one count in the background, at most
    /// one at a time per scheduler. So they lag the store by a second or two (a count of 1,000,000 jobs on PostgreSQL takes
    /// a few hundred milliseconds, and then counts run at most every few seconds); only the first call on a scheduler waits for
    /// a count. <see cref="JobStats.OldestPendingAt"/> is read on every call (one probe of the due index).
    /// For exact counts now, at the cost of a full count on stores without a cache, use <see cref="GetJobCountsAsync"/>.
    /// </summary>
    public async Task<JobStats> GetJobStatsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (byStatus, countedAt) = await _counts.GetAsync(cancellationToken).ConfigureAwait(false);
        var oldest = await _services.Queries.OldestDueAtAsync(_services.NowMs, cancellationToken).ConfigureAwait(false);
        return new JobStats(byStatus, oldest is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, countedAt);
    }

    /// <summary>Jobs by status, flow, parent and creation time, and by a search term (<see cref="JobQuery.Search"/>), newest first, paged.</summary>
    /// <exception cref="ArgumentException">A field of <paramref name="query"/> is out of range (<see cref="JobQuery.Validate"/>).</exception>
    /// <exception cref="SearchTimeoutException">The store stopped a search that ran past its search timeout (PostgreSQL).</exception>
    public async Task<IReadOnlyList<Job>> ListJobsAsync(JobQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new JobQuery();
        query.Validate();
        if (await FindSearchedIdAsync(query, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return query.Offset == 0 ? [JobMapper.ToJob(found)] : [];
        }

        var records = await _services.Queries.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        return await WaitingReasons.FillAsync(records.Select(JobMapper.ToJob).ToList(), records, _services.Queries, _services.NowMs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A search term that is a whole job id (a UUID) naming a job that passes the query's other filters: that job, found by a
    /// direct lookup instead of a scan of every job's text (<see cref="JobQuery.Search"/>). Null otherwise (the search runs).
    /// </summary>
    private async Task<JobRecord?> FindSearchedIdAsync(JobQuery query, CancellationToken cancellationToken)
    {
        if (query.Search is not { Length: 36 } term || !Guid.TryParseExact(term, "D", out _))
        {
            return null;
        }

        var job = await _services.Queries.GetJobAsync(term, cancellationToken).ConfigureAwait(false);
        var lower = term.ToLowerInvariant();
        if (job is null && !string.Equals(lower, term, StringComparison.Ordinal))
        {
            job = await _services.Queries.GetJobAsync(lower, cancellationToken).ConfigureAwait(false);
        }

        return job is not null && Passes(query, job) ? job : null;
    }

    /// <summary>Whether <paramref name="job"/> passes every filter of <paramref name="query"/> but the search term.</summary>
    private static bool Passes(JobQuery query, JobRecord job) =>
        (query.Status is not { } status || job.Status == status)
        && (query.Flow is null || string.Equals(job.Flow, query.Flow, StringComparison.Ordinal))
        && (query.ExcludeFlows is not { Count: > 0 } excluded || !excluded.Contains(job.Flow))
        && (query.ExcludeFlowVersions is not { Count: > 0 } pairs || !pairs.Any(p => string.Equals(p.Flow, job.Flow, StringComparison.Ordinal)
            && (job.FlowVersion.Length == 0 || string.Equals(p.Version, job.FlowVersion, StringComparison.Ordinal))))
        && (query.ParentId is null || string.Equals(job.ParentId, query.ParentId, StringComparison.Ordinal))
        && (query.CreatedAfter is not { } after || job.CreatedAtMs >= after.ToUnixTimeMilliseconds())
        && (query.CreatedBefore is not { } before || job.CreatedAtMs < before.ToUnixTimeMilliseconds());

    /// <summary>Blocking jobs; each job's <c>Context.WaitingFor</c> says what it waits for.</summary>
    public Task<IReadOnlyList<Job>> ListBlockingJobsAsync(CancellationToken cancellationToken = default) =>
        ListJobsAsync(new JobQuery { Status = JobStatus.Blocking, Limit = 10_000 }, cancellationToken);

    /// <summary>The job's history: every claim, step, wait resolution and status change, in order.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<IReadOnlyList<JobEvent>> GetJobHistoryAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _services.Queries.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
    }

    /// <summary>
    /// Cancels a job that is not terminal: it becomes <see cref="JobStatus.Cancelled"/>, its children are cancelled recursively,
    /// its running step is signalled, and its parent's wait resolves with status <c>cancelled</c>.
    /// </summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="JobAlreadyTerminalException">The job is already done, failed or cancelled.</exception>
    public Task CancelJobAsync(string id, CancellationToken cancellationToken = default) =>
        FinishAsync(id, JobStatus.Cancelled, "cancelled", cancellationToken);

    /// <summary>Fails a job by hand with <paramref name="reason"/> as its error (no retry); its children are cancelled.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="JobAlreadyTerminalException">The job is already done, failed or cancelled.</exception>
    public Task FailJobAsync(string id, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return FinishAsync(id, JobStatus.Failed, reason, cancellationToken);
    }

    /// <summary>
    /// Runs a <see cref="JobStatus.Failed"/> or <see cref="JobStatus.Cancelled"/> job again from its last committed context, with
    /// a fresh retry budget. Its waits that could no longer resolve are set up again: a cancelled (or failed) child is retried the
    /// same way, a cancelled or expired escalation is pending again; with a wait still pending the job is
    /// <see cref="JobStatus.Blocking"/>, otherwise <see cref="JobStatus.Pending"/> and due at once.
    /// </summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="JobNotRetryableException">
    /// The job is not failed or cancelled, or its run ended in its flow (it reached <c>MaxSteps</c>); nothing changed.
    /// </exception>
    public async Task RetryJobAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var record = await _services.Queries.GetJobAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
        if (record.Status is not (JobStatus.Failed or JobStatus.Cancelled))
        {
            throw new JobNotRetryableException(id, record.Status);
        }

        // A run that ended in its flow (MaxSteps, or a handler that marked it cancelled) has no step to run again: its committed
        // context is the end. A failed step or an end by hand leaves the last committed context open, so those resume.
        var done = StateContext.Deserialize(record.ContextJson);
        if (done.Done == DoneReason.MaxSteps)
        {
            throw new JobNotRetryableException(id, record.Status, $"Job '{id}' failed at MaxSteps ({done.Step}): a run that reached MaxSteps cannot be retried; schedule it again, with a higher MaxSteps.")
            {
                MaxSteps = done.Step,
            };
        }

        if (done.Done is { } reason)
        {
            throw new JobNotRetryableException(id, record.Status, $"Job '{id}' ended in its flow ({reason.ToString().ToLowerInvariant()}); it cannot be retried.");
        }

        var result = await _services.Writes.RetryJobAsync(id, _services.NowMs, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case StoreOutcome.Ok:
                return;
            case StoreOutcome.JobNotFound:
                throw new JobNotFoundException(id);
            default:
                throw new JobNotRetryableException(id, result.Status ?? record.Status);
        }
    }

    /// <summary>
    /// Completes with the job once it is terminal, also when another scheduler on the same store finished it. Waiting holds no
    /// connection: the scheduler's waiters share one reader, which looks at the finished jobs of all of them in one batched read
    /// when a signal says some finished (and at every waited job on a slow safety poll). A store that refuses connections for a
    /// while only delays the answer. <see cref="Timeout.InfiniteTimeSpan"/> waits for as long as it takes (until
    /// <paramref name="cancellationToken"/>).
    /// </summary>
    /// <exception cref="TimeoutException">The timeout passed first.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<Job> WaitForJobAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (timeout != Timeout.InfiniteTimeSpan && timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout cannot be negative (use Timeout.InfiniteTimeSpan to wait forever).");
        }

        using var waiter = _waiters.Add(id);
        JobRecord? record;
        try
        {
            record = await waiter.Completion.Task.WaitAsync(timeout, _services.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A timeout shorter than the reader's first look (zero, say) still answers for a job that is already terminal.
            if (waiter.LastStatus is not { } status)
            {
                var job = await GetJobAsync(id, cancellationToken).ConfigureAwait(false);
                if (job.Status.IsTerminal())
                {
                    return job;
                }

                status = job.Status;
            }

            throw new TimeoutException($"Job '{id}' is still {status.ToString().ToLowerInvariant()} after {timeout}.");
        }

        return JobMapper.ToJob(record ?? throw new JobNotFoundException(id));
    }

    private async Task FinishAsync(string id, JobStatus status, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        error = ContextLimits.Storable(error)!;
        var result = await _services.Writes.FinishJobAsync(id, status, error, _services.NowMs, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case StoreOutcome.Ok:
                _pool?.Signal(id, JobStopReason.Cancelled);
                var at = _services.Time.GetUtcNow();
                _services.Events.Publish(new JobFinishedEvent(id, at, (await GetJobAsync(id, cancellationToken).ConfigureAwait(false)).Flow, status, error));
                // Each descendant cancelled with it is a job that finished too, with its own event (its running step, if any, hears
                // of it through the store's finished signal).
                CascadeEvents.Publish(_services.Events, id, status, result.Cascaded, at);

                return;
            case StoreOutcome.JobNotFound:
                throw new JobNotFoundException(id);
            default:
                throw new JobAlreadyTerminalException(id, result.Status ?? JobStatus.Done);
        }
    }
}
