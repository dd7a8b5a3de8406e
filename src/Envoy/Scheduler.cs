using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy;

/// <summary>
/// The durable scheduler. <see cref="InitAsync(SchedulerConfig, CancellationToken)"/> opens the configured store (the embedded SQLite file by default), migrates
/// its schema and returns a scheduler ready for <c>AddFlow</c> and <c>StartAsync</c>.
/// </summary>
public sealed class Scheduler : JobScheduler
{
    private Scheduler(IJobStore store, SchedulerConfig config, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
        : base(store, config, timeProvider, loggerFactory)
    {
    }

    /// <summary>Opens the store of <paramref name="config"/> (SQLite <c>envoy.db</c> when none is set), migrates it, and creates a scheduler.</summary>
    /// <exception cref="EnvoyConfigurationException">The configuration is invalid (every problem listed).</exception>
    /// <exception cref="EnvoyException">The store cannot be opened (the message names it).</exception>
    public static Task<Scheduler> InitAsync(SchedulerConfig config, CancellationToken cancellationToken = default) =>
        InitAsync(config, null, null, cancellationToken);

    /// <summary>As <see cref="InitAsync(SchedulerConfig, CancellationToken)"/>, with a clock (tests use a fake one) and logging.</summary>
    public static async Task<Scheduler> InitAsync(SchedulerConfig config, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfInvalid();
#pragma warning disable CA2000 // Ownership passes to the scheduler, which disposes the store; on failure it is disposed below.
        var store = StoreFactory.Create(config, timeProvider);
#pragma warning restore CA2000
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return new Scheduler(store, config, timeProvider, loggerFactory);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates a scheduler without opening the store yet (the store opens and migrates on first use or at <c>StartAsync</c>);
    /// used by dependency injection, where construction is synchronous.
    /// </summary>
    public static Scheduler Create(SchedulerConfig config, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfInvalid();
#pragma warning disable CA2000 // The scheduler owns the store and disposes it.
        return new Scheduler(StoreFactory.Create(config, timeProvider), config, timeProvider, loggerFactory);
#pragma warning restore CA2000
    }

    /// <summary>Registers (or replaces) a flow under a name; returns this scheduler.</summary>
    public new Scheduler AddFlow(string name, StateFlow flow, FlowOptions? options = null)
    {
        base.AddFlow(name, flow, options);
        return this;
    }
}
