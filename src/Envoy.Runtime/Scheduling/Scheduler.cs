using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;
using Envoy.Runtime.Execution.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Envoy;

/// <summary>
/// The durable scheduler over any <see cref="IJobStore"/>: register flows, start workers, schedule jobs, answer waits and
/// escalations. Safe for concurrent use. Users normally create it through <c>Scheduler.InitAsync</c> or <c>services.AddEnvoy()</c>.
/// </summary>
public sealed partial class Scheduler : IAsyncDisposable
{
    private readonly RuntimeServices _services;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly bool _ownsStore;
    private readonly JobWaiters _waiters;
    private readonly StaleWhileRevalidate<IReadOnlyDictionary<JobStatus, long>> _counts;
    private readonly RecurringFiring _recurringFiring;
    private WorkerPool? _pool;
    private MaintenanceLeader? _maintenance;
    private RecurringTrigger? _recurring;
    private WorkerHeartbeat? _heartbeat;
    private JobStatsSampler? _statsSampler;
    private bool _disposed;

    /// <summary>Creates a scheduler over a store, with a deep copy of <paramref name="options"/>.</summary>
    /// <exception cref="EnvoyConfigurationException">The options are invalid (every problem listed).</exception>
    public Scheduler(IJobStore store, SchedulerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, bool ownsStore = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var config = options.Clone();
        config.ThrowIfInvalid();
        var workerId = config.WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Envoy.Scheduler");
        var time = timeProvider ?? TimeProvider.System;
#pragma warning disable CA2000 // The scheduler owns the feed and disposes it in DisposeAsync.
        var storeEvents = new StoreEventFeed(store, store.EventTransport, time, logger);
#pragma warning restore CA2000
        _services = new RuntimeServices(store, new FlowRegistry(), config, time, logger, new SchedulerEventHub(storeEvents), storeEvents, workerId);
        _ownsStore = ownsStore;
        _waiters = new JobWaiters(store, store.Signals, _services.Time, config.PollInterval, logger);
        _counts = new StaleWhileRevalidate<IReadOnlyDictionary<JobStatus, long>>(store.CountJobsAsync, _services.Time, StatsCountsMinAge);
        _recurringFiring = new RecurringFiring(_services, ScheduleJobAsync);
    }

    /// <summary>This worker's id in leases and logs.</summary>
    public string WorkerId => _services.WorkerId;

    /// <summary>The store this scheduler uses.</summary>
    public IJobStore Store => _services.Store;

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => Volatile.Read(ref _pool) is not null;

    /// <summary>
    /// Whether this scheduler leads maintenance now (one started scheduler among all sharing the store: it puts jobs with expired
    /// leases back to pending and wakes workers when delayed jobs come due).
    /// </summary>
    public bool IsMaintenanceLeader => Volatile.Read(ref _maintenance)?.IsLeading ?? false;

    /// <summary>The registered flows by name (the newest version of each, the one new jobs take).</summary>
    public IReadOnlyDictionary<string, StateFlow> Flows => _services.Flows.Snapshot();

    /// <summary>
    /// The registered versions of each flow, by name, oldest first: the last is the newest, which new jobs and spawned children
    /// take (see <see cref="FlowOptions.Version"/>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> FlowVersions => _services.Flows.VersionSnapshot();

    /// <summary>
    /// The flow registered here under <paramref name="name"/> at <paramref name="version"/> (<see cref="Job.FlowVersion"/>;
    /// null: the newest, which a job with no recorded version also runs on), or null when this scheduler does not have it.
    /// </summary>
    public StateFlow? FindFlow(string name, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _services.Flows.TryGet(name, version ?? string.Empty)?.Flow;
    }

    /// <summary>Step started, step completed, job finished and escalation created, as they happen in this scheduler.</summary>
    public IObservable<SchedulerEvent> Events => _services.Events;

    /// <summary>The same events as <see cref="Events"/>, as an async stream until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<SchedulerEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => _services.Events.ReadAsync(cancellationToken);

    /// <summary>
    /// The events of every scheduler on this store, this one's included: step started, step completed, job finished and
    /// escalation created, whichever process ran the job. This scheduler's events are delivered directly; the other processes'
    /// come through the store (PostgreSQL <c>LISTEN/NOTIFY</c>, or Redis pub/sub when Redis is configured; SQLite, an embedded
    /// store, carries the events of the schedulers of this process only). Best effort: events sent while a connection is down
    /// are lost to this feed, and a process starts sending within about two seconds of the first subscriber anywhere. Processes
    /// send nothing while nobody subscribes. Each subscriber has its own bounded buffer, as with <see cref="Events"/>.
    /// </summary>
    public IObservable<SchedulerEvent> StoreEvents => _services.StoreEvents.Hub;

    /// <summary>The same events as <see cref="StoreEvents"/>, as an async stream until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<SchedulerEvent> ReadStoreEventsAsync(CancellationToken cancellationToken = default) => _services.StoreEvents.Hub.ReadAsync(cancellationToken);

    /// <summary>The settings this scheduler runs with (its own deep copy; for tests).</summary>
    internal SchedulerOptions Options => _services.Config;

    /// <summary>The store-wide feed behind <see cref="StoreEvents"/> (its publisher's counters, for tests and the load driver).</summary>
    internal StoreEventFeed StoreEventFeed => _services.StoreEvents;

    /// <summary>What happened to the progress reports of this scheduler's steps (for tests).</summary>
    internal ProgressCounters ProgressCounters => _services.Progress;

    /// <summary>
    /// Registers a version of a flow under a name (<see cref="FlowOptions.Version"/>, or the hash of the flow's shape) and
    /// makes it the newest, which new jobs take; the versions registered before stay, so that jobs started on them finish on
    /// them. The same version again replaces it; returns this scheduler.
    /// </summary>
    /// <exception cref="FlowVersionConflictException">The version was set by hand and is already registered for another flow object.</exception>
    /// <exception cref="ArgumentException">The version set by hand is empty, white space, too long, or holds U+001F or U+0000.</exception>
    /// <exception cref="EnvoyConfigurationException">The options are invalid, or set a <see cref="FlowOptions.RateLimit"/> the store cannot keep.</exception>
    public Scheduler AddFlow(string name, StateFlow flow, FlowOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.RateLimit is not null && _services.Store.RateLimits is null)
        {
            throw new EnvoyConfigurationException([$"FlowOptions.RateLimit of flow '{name}' needs a store that keeps rate limits; {_services.Store.Description} keeps none."]);
        }

        _services.Flows.Add(name, flow, options);
        return this;
    }

    /// <summary>Starts this process's workers; calling it again while started does nothing; start after stop works.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pool is null)
            {
                await _services.Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                _heartbeat = await WorkerHeartbeat.StartAsync(_services, cancellationToken).ConfigureAwait(false);
                _pool = new WorkerPool(_services);
                _maintenance = new MaintenanceLeader(_services);
                _recurring = new RecurringTrigger(_services, _recurringFiring);
                _statsSampler = new JobStatsSampler(_services.Store.Description, GetJobStatsAsync, _services.Time);
                JobStatsGauges.Add(_statsSampler);
                RuntimeLog.WorkerStarted(_services.Logger, WorkerId, _services.Store.Description, _services.Config.Concurrency);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops claiming and lets running steps finish; when <paramref name="cancellationToken"/> fires first, running steps are
    /// signalled and their jobs given back as pending. Calling it again, or before start, does nothing.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_pool is { } pool)
            {
                if (_recurring is { } recurring)
                {
                    _recurring = null;
                    await recurring.DisposeAsync().ConfigureAwait(false);
                }

                if (_statsSampler is { } sampler)
                {
                    _statsSampler = null;
                    JobStatsGauges.Remove(sampler);
                }

                if (_maintenance is { } maintenance)
                {
                    _maintenance = null;
                    await maintenance.DisposeAsync().ConfigureAwait(false);
                }

                await pool.StopAsync(cancellationToken).ConfigureAwait(false);
                pool.Dispose();
                _pool = null;
                if (_heartbeat is { } heartbeat)
                {
                    _heartbeat = null;
                    await heartbeat.DisposeAsync().ConfigureAwait(false);
                }

                RuntimeLog.WorkerStopped(_services.Logger, WorkerId);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the workers (waiting for running steps up to 30 s) and closes the store if this scheduler owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30), _services.Time))
        {
            await StopAsync(deadline.Token).ConfigureAwait(false);
        }

        _disposed = true;
        if (_recurring is not null)
        {
            await _recurring.DisposeAsync().ConfigureAwait(false);
        }

        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }

        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
        }

        _pool?.Dispose();
        await _waiters.DisposeAsync().ConfigureAwait(false);
        _services.Events.Complete();
        await _services.StoreEvents.DisposeAsync().ConfigureAwait(false);
        if (_ownsStore)
        {
            await _services.Store.DisposeAsync().ConfigureAwait(false);
        }

        _lifecycle.Dispose();
        GC.SuppressFinalize(this);
    }
}
