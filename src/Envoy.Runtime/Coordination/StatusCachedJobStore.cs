using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Coordination;

/// <summary>
/// A store with a fast shared status cache in front of its status reads (Redis, through an
/// <see cref="ICoordinationAccelerator"/>): <see cref="GetJobStatusAsync"/> and <see cref="CountJobsAsync"/> are served from the
/// cache when it has the answer (which may lag the store by a moment: for display only, decisions read
/// <see cref="GetJobAsync"/>), else read from the store and cached. The cache is fed with the statuses the store's committed
/// transactions wrote (the store reports them through <see cref="IJobStatusSource"/>), each at its version so that a late write
/// of an older state is ignored; jobs a transaction changed without knowing their new status are forgotten, so the next read
/// goes to the store. Everything else goes to the store unchanged. Losing the cache loses nothing: reads go to the store.
/// Disposing this disposes the store.
/// </summary>
public sealed class StatusCachedJobStore : IJobStore, IStoreHealthProbe, ISchemaMigrations, IJobStatusObserver
{
    /// <summary>How long cached counts serve dashboards before one reader counts again.</summary>
    private static readonly TimeSpan CountsTimeToLive = TimeSpan.FromSeconds(1);

    private readonly IJobStore _store;
    private readonly IJobStatusSource _source;
    private readonly ICoordinationAccelerator _accelerator;
    private volatile IJobStatusCache? _cache;

    /// <summary>
    /// Puts <paramref name="accelerator"/>'s status cache in front of <paramref name="store"/>, which must report its written
    /// statuses (<see cref="IJobStatusSource"/>); the cache is made for the store's identity once the store initializes. Create
    /// it before the store's first write. The accelerator's lifetime stays with whoever owns it (the store, for its transport).
    /// </summary>
    /// <exception cref="ArgumentException">The store does not report the statuses it writes.</exception>
    public StatusCachedJobStore(IJobStore store, ICoordinationAccelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(accelerator);
        _source = store as IJobStatusSource ?? throw new ArgumentException($"The store {store.Description} does not report the statuses it writes ({nameof(IJobStatusSource)}).", nameof(store));
        _store = store;
        _accelerator = accelerator;
        _source.AttachStatusObserver(this);
    }

    /// <summary>The store behind the cache.</summary>
    public IJobStore Store => _store;

    /// <summary>True once the cache serves reads (after the store initialized).</summary>
    public bool IsCaching => _cache is not null;

    /// <inheritdoc />
    public string Description => _store.Description;

    /// <inheritdoc />
    public IJobSignals Signals => _store.Signals;

    /// <inheritdoc />
    public IEventTransport? EventTransport => _store.EventTransport;

    /// <inheritdoc />
    public IRateLimitStore? RateLimits => _store.RateLimits;

    /// <inheritdoc />
    public ICoordinationProbe? Coordination => (_store as IStoreHealthProbe)?.Coordination;

    /// <inheritdoc />
    /// <remarks>Zero when the store has no numbered migrations.</remarks>
    public int LatestSchemaVersion => (_store as ISchemaMigrations)?.LatestSchemaVersion ?? 0;

    /// <inheritdoc />
    public async Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var cache = _cache;
        if (cache is null)
        {
            return await _store.GetJobStatusAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (await cache.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached.Status;
        }

        var stored = await _source.ReadJobStatusAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is { } found)
        {
            cache.Put([found]);
        }

        return stored?.Status;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default)
    {
        var cache = _cache;
        if (cache is not null && await cache.GetCountsAsync(cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        var counts = await _store.CountJobsAsync(cancellationToken).ConfigureAwait(false);
        cache?.PutCounts(counts, CountsTimeToLive);
        return counts;
    }

    /// <inheritdoc />
    void IJobStatusObserver.StoreIdentified(string storeId) => _cache ??= _accelerator.CreateStatusCache(storeId);

    /// <inheritdoc />
    void IJobStatusObserver.StatusesWritten(IReadOnlyList<CachedJobStatus> statuses, IReadOnlyList<string> unknown)
    {
        // Best effort, never waits: the cache queues its writes in order on its connection before the commit returns.
        if (_cache is not { } cache)
        {
            return;
        }

        if (statuses.Count > 0)
        {
            cache.Put(statuses);
        }

        if (unknown.Count > 0)
        {
            cache.Forget(unknown);
        }
    }

    /// <inheritdoc />
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _store.InitializeAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _store.DisposeAsync();

    /// <inheritdoc />
    public Task ProbeAsync(CancellationToken cancellationToken = default) =>
        _store is IStoreHealthProbe probe ? probe.ProbeAsync(cancellationToken) : _store.NextDueAtAsync(0, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<SchemaMigration>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default) =>
        _store is ISchemaMigrations migrations ? migrations.GetPendingMigrationsAsync(cancellationToken) : Task.FromResult<IReadOnlyList<SchemaMigration>>([]);

    /// <inheritdoc />
    public Task<string> CreateJobAsync(NewJob job, CancellationToken cancellationToken = default) => _store.CreateJobAsync(job, cancellationToken);

    /// <inheritdoc />
    public Task<CreatedJob> CreateLimitedJobAsync(NewJob job, CancellationToken cancellationToken = default) => _store.CreateLimitedJobAsync(job, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<CommitResult>> CommitStepsAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default) =>
        _store.CommitStepsAsync(commits, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default) =>
        _store.CommitAsync(commits, cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default) =>
        _store.ResolveWaitAsync(resolution, cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default) =>
        _store.ReplyToEscalationAsync(reply, cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default) =>
        _store.FinishJobAsync(jobId, status, error, nowMs, cancellationToken);

    /// <inheritdoc />
    public Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default) =>
        _store.RetryJobAsync(jobId, nowMs, cancellationToken);

    /// <inheritdoc />
    public Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default) => _store.GetJobAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> GetJobsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default) =>
        _store.GetJobsAsync(ids, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default) =>
        _store.ListJobsAsync(query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobEvent>?> GetHistoryAsync(string id, CancellationToken cancellationToken = default) =>
        _store.GetHistoryAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<Escalation?> GetEscalationAsync(string id, CancellationToken cancellationToken = default) =>
        _store.GetEscalationAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status, string? user, CancellationToken cancellationToken = default) =>
        _store.ListEscalationsAsync(status, user, cancellationToken);

    /// <inheritdoc />
    public Task<long?> OldestDueAtAsync(long nowMs, CancellationToken cancellationToken = default) => _store.OldestDueAtAsync(nowMs, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default) =>
        _store.ClaimAsync(request, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> jobIds, long leaseUntilMs, CancellationToken cancellationToken = default) =>
        _store.RenewLeasesAsync(owner, jobIds, leaseUntilMs, cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextDueAtAsync(long nowMs, CancellationToken cancellationToken = default) => _store.NextDueAtAsync(nowMs, cancellationToken);

    /// <inheritdoc />
    public Task<MaintenanceResult> RunMaintenanceAsync(long sinceMs, long nowMs, int limit, CancellationToken cancellationToken = default) =>
        _store.RunMaintenanceAsync(sinceMs, nowMs, limit, cancellationToken);

    /// <inheritdoc />
    public Task<PurgeResult> PurgeJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken = default) =>
        _store.PurgeJobsAsync(cutoffs, limit, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AgedJob>> FindAgedJobsAsync(string flow, long createdBeforeMs, int limit, CancellationToken cancellationToken = default) =>
        _store.FindAgedJobsAsync(flow, createdBeforeMs, limit, cancellationToken);

    /// <inheritdoc />
    public ILeaderLock CreateLeaderLock() => _store.CreateLeaderLock();

    /// <inheritdoc />
    public Task SaveRecurringAsync(RecurringRow row, CancellationToken cancellationToken = default) => _store.SaveRecurringAsync(row, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default) => _store.DeleteRecurringAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RecordRecurringRunAsync(RecurringRun run, CancellationToken cancellationToken = default) => _store.RecordRecurringRunAsync(run, cancellationToken);

    /// <inheritdoc />
    public Task<RecurringRow?> GetRecurringAsync(string id, CancellationToken cancellationToken = default) => _store.GetRecurringAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RecurringRow>> ListRecurringAsync(CancellationToken cancellationToken = default) => _store.ListRecurringAsync(cancellationToken);

    /// <inheritdoc />
    public Task<int> CountRunningLimitedAsync(string flow, string concurrencyKey, CancellationToken cancellationToken = default) =>
        _store.CountRunningLimitedAsync(flow, concurrencyKey, cancellationToken);

    /// <inheritdoc />
    public Task<int> ResolveDueTimersAsync(long nowMs, int limit, CancellationToken cancellationToken = default) =>
        _store.ResolveDueTimersAsync(nowMs, limit, cancellationToken);

    /// <inheritdoc />
    public Task<FiredTimers> ResolveDueTimersAsync(long nowMs, int limit, ClaimRequest? start, CancellationToken cancellationToken = default) =>
        _store.ResolveDueTimersAsync(nowMs, limit, start, cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextTimerDueAtAsync(CancellationToken cancellationToken = default) => _store.NextTimerDueAtAsync(cancellationToken);

    /// <inheritdoc />
    public Task SaveWorkerAsync(WorkerRow worker, CancellationToken cancellationToken = default) => _store.SaveWorkerAsync(worker, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RemoveWorkerAsync(string workerId, CancellationToken cancellationToken = default) => _store.RemoveWorkerAsync(workerId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkerRow>> ListWorkersAsync(long nowMs, CancellationToken cancellationToken = default) => _store.ListWorkersAsync(nowMs, cancellationToken);
}
