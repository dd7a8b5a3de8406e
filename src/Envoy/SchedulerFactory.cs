using Microsoft.Extensions.Logging;

namespace Envoy;

/// <summary>
/// The doors from a <see cref="SchedulerConfig"/> to a <see cref="Scheduler"/> over the store it names. C# 14 static extension
/// members of <see cref="Scheduler"/>, so that <c>Scheduler.InitAsync(config)</c> reads as a member of the scheduler while the
/// runtime stays blind to the stores; other languages call them as <c>SchedulerFactory.InitAsync(config)</c>.
/// </summary>
public static class SchedulerFactory
{
#pragma warning disable CA1034 // An extension block is not a nested type (the analyzer reports C# 14 extension members as one).
    extension(Scheduler)
    {
        /// <summary>Opens the store of <paramref name="config"/> (SQLite <c>envoy.db</c> when none is set), migrates it, and creates a scheduler.</summary>
        /// <param name="config">The store and runtime settings; the scheduler keeps a deep copy.</param>
        /// <param name="cancellationToken">Cancels opening and migrating the store.</param>
        /// <returns>The scheduler, its store open.</returns>
        /// <exception cref="EnvoyConfigurationException">The configuration is invalid (every problem listed).</exception>
        /// <exception cref="EnvoyException">The store cannot be opened (the message names it).</exception>
        public static Task<Scheduler> InitAsync(SchedulerConfig config, CancellationToken cancellationToken = default) =>
            InitAsync(config, null, null, cancellationToken);

        /// <summary>As <c>InitAsync(config, cancellationToken)</c>, with a clock (tests use a fake one) and logging.</summary>
        /// <param name="config">The store and runtime settings; the scheduler keeps a deep copy.</param>
        /// <param name="timeProvider">The clock (null: the system clock).</param>
        /// <param name="loggerFactory">Logging (null: none).</param>
        /// <param name="cancellationToken">Cancels opening and migrating the store.</param>
        /// <returns>The scheduler, its store open.</returns>
        /// <exception cref="EnvoyConfigurationException">The configuration is invalid (every problem listed).</exception>
        /// <exception cref="EnvoyException">The store cannot be opened (the message names it).</exception>
        public static async Task<Scheduler> InitAsync(SchedulerConfig config, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(config);
            config = config.Clone();
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
        /// <param name="config">The store and runtime settings; the scheduler keeps a deep copy.</param>
        /// <param name="timeProvider">The clock (null: the system clock).</param>
        /// <param name="loggerFactory">Logging (null: none).</param>
        /// <returns>The scheduler; its store opens on first use.</returns>
        /// <exception cref="EnvoyConfigurationException">The configuration is invalid (every problem listed).</exception>
        public static Scheduler Create(SchedulerConfig config, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        {
            ArgumentNullException.ThrowIfNull(config);
            config = config.Clone();
            config.ThrowIfInvalid();
#pragma warning disable CA2000 // The scheduler owns the store and disposes it.
            return new Scheduler(StoreFactory.Create(config, timeProvider), config, timeProvider, loggerFactory);
#pragma warning restore CA2000
        }
    }
#pragma warning restore CA1034
}
