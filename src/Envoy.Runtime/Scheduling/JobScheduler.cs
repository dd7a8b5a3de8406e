using Envoy.Runtime;
using Envoy.Runtime.Execution;
using Envoy.Runtime.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Envoy;

/// <summary>
/// The durable scheduler over any <see cref="IJobStore"/>: register flows, start workers, schedule jobs, answer waits and
/// escalations. Safe for concurrent use. Users normally create it through <c>Scheduler.InitAsync</c> or <c>services.AddEnvoy()</c>.
/// </summary>
public partial class JobScheduler : IAsyncDisposable
{
    private readonly RuntimeServices _services;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly bool _ownsStore;
    private readonly JobWaiters _waiters;
    private readonly StaleWhileRevalidate<IReadOnlyDictionary<JobStatus, long>> _counts;
    private WorkerPool? _pool;
    private MaintenanceLeader? _maintenance;
    private bool _disposed;

    /// <summary>Creates a scheduler over an initialized store.</summary>
    /// <exception cref="EnvoyConfigurationException">The configuration is invalid (every problem listed).</exception>
    public JobScheduler(IJobStore store, SchedulerConfig config, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, bool ownsStore = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfInvalid();
        config = config.Clone();
        var workerId = config.WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Envoy.Scheduler");
        _services = new RuntimeServices(store, new FlowRegistry(), config, timeProvider ?? TimeProvider.System, logger, new SchedulerEventHub(), workerId);
        _ownsStore = ownsStore;
        _waiters = new JobWaiters(store, _services.Time, config.PollInterval, logger);
        _counts = new StaleWhileRevalidate<IReadOnlyDictionary<JobStatus, long>>(store.CountJobsAsync, _services.Time, StatsCountsMinAge);
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

    /// <summary>The registered flows by name.</summary>
    public IReadOnlyDictionary<string, StateFlow> Flows => _services.Flows.Snapshot();

    /// <summary>Step started, step completed, job finished and escalation created, as they happen in this scheduler.</summary>
    public IObservable<SchedulerEvent> Events => _services.Events;

    /// <summary>The same events as <see cref="Events"/>, as an async stream until <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<SchedulerEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => _services.Events.ReadAsync(cancellationToken);

    /// <summary>Registers (or replaces) a flow under a name; returns this scheduler.</summary>
    public JobScheduler AddFlow(string name, StateFlow flow, FlowOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
                _pool = new WorkerPool(_services);
                _maintenance = new MaintenanceLeader(_services);
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
                if (_maintenance is { } maintenance)
                {
                    _maintenance = null;
                    await maintenance.DisposeAsync().ConfigureAwait(false);
                }

                await pool.StopAsync(cancellationToken).ConfigureAwait(false);
                pool.Dispose();
                _pool = null;
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
        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }

        _pool?.Dispose();
        await _waiters.DisposeAsync().ConfigureAwait(false);
        _services.Events.Complete();
        if (_ownsStore)
        {
            await _services.Store.DisposeAsync().ConfigureAwait(false);
        }

        _lifecycle.Dispose();
        GC.SuppressFinalize(this);
    }
}
