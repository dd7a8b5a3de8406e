using Envoy.Runtime;
using Envoy.Runtime.Execution;

namespace Envoy;

public partial class JobScheduler
{
    /// <summary>
    /// Creates a job of a registered flow and returns its id (one transaction: the job exists whole or not at all). Due now, on a
    /// started scheduler with a free worker slot, it starts here at once (<see cref="SchedulerConfig.EagerStart"/>).
    /// </summary>
    /// <exception cref="FlowNotFoundException">The flow is not registered.</exception>
    /// <exception cref="JobNotFoundException"><see cref="ScheduleOptions.ParentId"/> names no job.</exception>
    /// <exception cref="ContextValueException">The input cannot be written as JSON, or holds a string with U+0000 (no store accepts it).</exception>
    /// <exception cref="ContextTooLargeException">The job's context with this input is larger than <see cref="SchedulerConfig.MaxContextBytes"/>.</exception>
    public async Task<string> ScheduleAsync(string flow, object? input = null, ScheduleOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(flow);
        if (!_services.Flows.TryGet(flow, out var stateFlow, out _))
        {
            throw new FlowNotFoundException(flow);
        }

        options ??= new ScheduleOptions();
        if (options.Delay is { } delay && delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), delay, "ScheduleOptions.Delay cannot be negative.");
        }

        if (options.IdempotencyKey is { Length: 0 or > 512 })
        {
            throw new ArgumentException("ScheduleOptions.IdempotencyKey must be 1 to 512 characters.", nameof(options));
        }

        if (options.ParentId is { } parentId && await _services.Store.GetJobAsync(parentId, cancellationToken).ConfigureAwait(false) is null)
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
        var job = new NewJob(id, flow, contextJson, options.Priority, runAt.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), options.ParentId, null, options.IdempotencyKey);
        var eager = runAt <= now ? ReserveEagerStart() : null;
        if (eager is null)
        {
            return await _services.Store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        }

        // Eager start: inserted already claimed by this worker, and run here at once, without a claim round trip.
        job = job with { Lease = new JobLease(_services.WorkerId, _services.LeaseUntilMs) };
        string created;
        try
        {
            created = await _services.Store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            eager.CancelEager();
            throw;
        }

        if (string.Equals(created, id, StringComparison.Ordinal))
        {
            eager.StartEager(job.ToClaimedRecord());
        }
        else
        {
            // The idempotency key named an existing job: nothing was inserted, nothing to run.
            eager.CancelEager();
        }

        return created;
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
        var record = await _services.Store.GetJobAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
        return JobMapper.ToJob(record);
    }

    /// <summary>
    /// A job's status for display and polling: from the shared status cache when the store has one (Redis next to PostgreSQL;
    /// it may lag a commit by a moment), else from the store. Decide on <see cref="GetJobAsync"/>, which always reads the store.
    /// </summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<JobStatus> GetJobStatusAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _services.Store.GetJobStatusAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
    }

    /// <summary>How many jobs are in each status (every status present), for dashboards: cached for about a second where the store can.</summary>
    public Task<IReadOnlyDictionary<JobStatus, long>> GetJobCountsAsync(CancellationToken cancellationToken = default) =>
        _services.Store.CountJobsAsync(cancellationToken);

    /// <summary>Jobs by status, flow, parent and creation time, newest first, paged.</summary>
    public async Task<IReadOnlyList<Job>> ListJobsAsync(JobQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new JobQuery();
        query.Validate();
        var records = await _services.Store.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        return records.Select(JobMapper.ToJob).ToList();
    }

    /// <summary>Blocking jobs; each job's <c>Context.WaitingFor</c> says what it waits for.</summary>
    public Task<IReadOnlyList<Job>> ListBlockingJobsAsync(CancellationToken cancellationToken = default) =>
        ListJobsAsync(new JobQuery { Status = JobStatus.Blocking, Limit = 10_000 }, cancellationToken);

    /// <summary>The job's history: every claim, step, wait resolution and status change, in order.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<IReadOnlyList<JobEvent>> GetJobHistoryAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _services.Store.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new JobNotFoundException(id);
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

    /// <summary>Puts a failed job back to <see cref="JobStatus.Pending"/> with a fresh retry budget, from its last committed context.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="InvalidOperationException">The job is not failed.</exception>
    public async Task RetryJobAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var result = await _services.Store.RetryJobAsync(id, _services.NowMs, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case StoreOutcome.Ok:
                return;
            case StoreOutcome.JobNotFound:
                throw new JobNotFoundException(id);
            default:
                throw new InvalidOperationException($"Job '{id}' is {result.Status?.ToString().ToLowerInvariant()}; only failed jobs can be retried.");
        }
    }

    /// <summary>Completes with the job once it is terminal, also when another scheduler on the same store finished it.</summary>
    /// <exception cref="TimeoutException">The timeout passed first.</exception>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public async Task<Job> WaitForJobAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var signal = new WakeSignal();
        using var registration = _waiters.Register(id, signal);
        var deadline = _services.Time.GetTimestamp() + (long)(timeout.TotalSeconds * _services.Time.TimestampFrequency);
        while (true)
        {
            var job = await GetJobAsync(id, cancellationToken).ConfigureAwait(false);
            if (job.Status.IsTerminal())
            {
                return job;
            }

            var left = TimeSpan.FromSeconds((double)(deadline - _services.Time.GetTimestamp()) / _services.Time.TimestampFrequency);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Job '{id}' is still {job.Status.ToString().ToLowerInvariant()} after {timeout}.");
            }

            // A signal wakes this at once; the periodic look is only a safety net for a signal that never comes.
            await signal.WaitAsync(left < _services.Config.PollInterval ? left : _services.Config.PollInterval, _services.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FinishAsync(string id, JobStatus status, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        error = ContextLimits.Storable(error)!;
        var result = await _services.Store.FinishJobAsync(id, status, error, _services.NowMs, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case StoreOutcome.Ok:
                _pool?.Signal(id, JobStopReason.Cancelled);
                _services.Events.Publish(new JobFinishedEvent(id, _services.Time.GetUtcNow(), (await GetJobAsync(id, cancellationToken).ConfigureAwait(false)).Flow, status, error));
                return;
            case StoreOutcome.JobNotFound:
                throw new JobNotFoundException(id);
            default:
                throw new JobAlreadyTerminalException(id, result.Status ?? JobStatus.Done);
        }
    }
}
