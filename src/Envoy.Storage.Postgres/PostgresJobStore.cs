using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Npgsql;

namespace Envoy.Storage.Postgres;

/// <summary>
/// The PostgreSQL store, the source of truth for many worker processes. Claims use <c>FOR UPDATE SKIP LOCKED</c> over a partial
/// index, several jobs per round trip; commits check version and lease owner and are grouped into shared transactions; wake-ups
/// travel by <c>LISTEN/NOTIFY</c> (and by <see cref="IJobSignals"/> in-process). Transient failures (a restarting server) are
/// retried for <see cref="PostgresConfig.TransientRetryWindow"/>.
/// </summary>
public sealed partial class PostgresJobStore : IJobStore, IJobStatusSource, IRateLimitStore
{
    private static readonly int SchemaVersion = PostgresSql.Migrations.Length;
    private static readonly TimeSpan TransientRetryBaseDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan TransientRetryMaxDelay = TimeSpan.FromSeconds(1);

    private readonly PostgresConfig _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly PostgresSignals _signals;
    private readonly PostgresEventTransport _events;
    private readonly ICoordinationAccelerator? _accelerator;
    private readonly ISignalTransport? _transport;
    private IJobStatusObserver? _statusObserver;
    private string? _storeId;
    private volatile bool _initialized;
    private bool _disposed;

    /// <summary>
    /// Creates the store; the schema is created or migrated by <see cref="InitializeAsync"/> (or on first use). A
    /// <paramref name="transport"/> that is also an <see cref="ICoordinationAccelerator"/> (Redis) adds its leader lock (with an
    /// advisory lock as the fallback). Its status cache is not this store's: the runtime's <see cref="StatusCachedJobStore"/> is
    /// put in front of it (as <c>Scheduler.InitAsync</c> does with Redis configured), fed through <see cref="IJobStatusSource"/>.
    /// </summary>
    /// <exception cref="EnvoyConfigurationException"><paramref name="options"/> is invalid (every problem listed).</exception>
    public PostgresJobStore(PostgresConfig options, ISignalTransport? transport = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _time = timeProvider ?? TimeProvider.System;
        var connectionString = _options.BuildConnectionString();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!MaxPoolSizePattern().IsMatch(connectionString))
        {
            builder.MaxPoolSize = _options.MaxPoolSize;
        }

        builder.NoResetOnClose = true;
        Host = builder.Host ?? "localhost";
        Port = builder.Port;
        Database = builder.Database ?? builder.Username ?? "postgres";
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        _signals = new PostgresSignals(_dataSource, transport, _time);
        _events = new PostgresEventTransport(_dataSource, _time);
        _transport = transport;
        _accelerator = transport as ICoordinationAccelerator;
        Description = $"postgres:{Host}:{Port}/{Database}";
    }

    /// <summary>The server host.</summary>
    public string Host { get; }

    /// <summary>The server port.</summary>
    public int Port { get; }

    /// <summary>The database.</summary>
    public string Database { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>A copy of the settings this store was created with.</summary>
    public PostgresConfig Config => _options.Clone();

    /// <inheritdoc />
    public IJobSignals Signals => _signals;

    /// <inheritdoc />
    /// <remarks>
    /// Redis pub/sub when the transport given to this store carries events (<c>RedisCoordination</c>), else <c>NOTIFY</c> on
    /// <c>envoy_events</c> with listeners announced in <c>envoy.event_listeners</c>.
    /// </remarks>
    public IEventTransport EventTransport => _transport as IEventTransport ?? _events;

    /// <summary>
    /// The store's identity, made once per database (<c>envoy.store_identity</c>): the same for every process on this database
    /// however it connects, and the namespace of its keys and channel in a shared Redis. Null before <see cref="InitializeAsync"/>.
    /// </summary>
    public string? StoreId => Volatile.Read(ref _storeId);

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            var started = _time.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Volatile.Write(ref _storeId, await MigrateAsync(cancellationToken).ConfigureAwait(false));
                    break;
                }
                catch (PostgresException ex) when (IsBusy(ex) && !cancellationToken.IsCancellationRequested && _time.GetElapsedTime(started) < _options.TransientRetryWindow)
                {
                    // The server is there but full (53300) or starting: wait for it like any other operation would.
                    await Task.Delay(Envoy.Runtime.Retries.RetryBackoff.Delay(attempt, TransientRetryBaseDelay, TransientRetryMaxDelay), _time, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
                {
                    throw new EnvoyException($"Cannot reach PostgreSQL at {Host}:{Port} (database '{Database}'): {ex.Message}", ex);
                }
            }

            // Before anything is broadcast or cached: the store's namespace in a Redis shared by many apps.
            _transport?.BindToStore(_storeId!);
            Volatile.Read(ref _statusObserver)?.StoreIdentified(_storeId!);
            if (_options.Listen)
            {
                _signals.StartListening();
            }

            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _events.DisposeAsync().ConfigureAwait(false);
        await _signals.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _initGate.Dispose();
    }

    /// <summary>Brings the schema up to date; returns the store's identity.</summary>
    private async Task<string> MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                // Many processes may start at once: one migrates, the others wait for it and then find the schema current.
                using (var lockCommand = connection.Command("SELECT pg_advisory_xact_lock($1)", tx, PostgresParameters.P(PostgresSql.MigrationLockKey)))
                {
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using (var create = connection.Command("CREATE SCHEMA IF NOT EXISTS envoy; CREATE TABLE IF NOT EXISTS envoy.schema_version (version integer NOT NULL)", tx))
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                int current;
                using (var read = connection.Command("SELECT coalesce(max(version), 0) FROM envoy.schema_version", tx))
                {
                    current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }

                if (current > SchemaVersion)
                {
                    throw new EnvoyException($"The database {Description} has Envoy schema version {current}, newer than this Envoy ({SchemaVersion}).");
                }

                // Each migration after the version found, in order, in this one transaction.
                for (var version = current + 1; version <= SchemaVersion; version++)
                {
                    var sql = PostgresSql.Migrations[version - 1] + $"; INSERT INTO envoy.schema_version (version) VALUES ({version});";
                    using var migrate = connection.Command(sql, tx);
                    await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                string storeId;
                using (var identity = connection.Command(PostgresSql.StoreIdentity, tx))
                {
                    storeId = (string)(await identity.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return storeId;
            }
        }
    }

    /// <summary>Runs one transaction, retrying it on deadlocks and through transient failures; publishes its effects once committed.</summary>
    private Task<T> TransactAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, StoreEffects, Task<T>> work, CancellationToken cancellationToken) =>
        RetryAsync(
            async effects =>
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                    await using (tx.ConfigureAwait(false))
                    {
                        var result = await work(connection, tx, effects).ConfigureAwait(false);
                        if (effects.Any)
                        {
                            await NotifyAsync(connection, tx, effects, cancellationToken).ConfigureAwait(false);
                        }

                        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            },
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on a connection with no explicit transaction: for work that sends its writes as one
    /// <see cref="NpgsqlBatch"/>, which PostgreSQL runs as one implicit transaction committed with the batch, in one round trip
    /// (BEGIN and COMMIT would each cost another). The batch must carry its own NOTIFY. Retried like <see cref="TransactAsync"/>.
    /// </summary>
    private Task<T> BatchAsync<T>(Func<NpgsqlConnection, StoreEffects, Task<T>> work, CancellationToken cancellationToken) =>
        RetryAsync(
            async effects =>
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await work(connection, effects).ConfigureAwait(false);
                }
            },
            cancellationToken);

    private async Task<T> RetryAsync<T>(Func<StoreEffects, Task<T>> attempt, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var started = _time.GetTimestamp();
        var attempts = 0;
        while (true)
        {
            var effects = new StoreEffects { TrackStatuses = Volatile.Read(ref _statusObserver) is not null };
            try
            {
                var result = await attempt(effects).ConfigureAwait(false);
                effects.Publish(_signals);
                ReportStatuses(effects);
                return result;
            }
            catch (Exception ex) when (IsRetryable(ex) && !cancellationToken.IsCancellationRequested && _time.GetElapsedTime(started) < _options.TransientRetryWindow)
            {
                attempts++;
                // With jitter: the processes a full server refused all at once do not all come back at once.
                var delay = Envoy.Runtime.Retries.RetryBackoff.Delay(attempts, TransientRetryBaseDelay, TransientRetryMaxDelay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                if (ex is NpgsqlException { IsTransient: true })
                {
                    _dataSource.Clear();
                }
            }
        }
    }

    /// <summary>A read on a pooled connection, retried through transient failures like a transaction (it changes nothing).</summary>
    private Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) =>
        RetryAsync(
            async _ =>
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await work(connection).ConfigureAwait(false);
                }
            },
            cancellationToken);

    [System.Text.RegularExpressions.GeneratedRegex(@"max(imum)?\s*pool\s*size\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex MaxPoolSizePattern();

    private async Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, StoreEffects effects, CancellationToken cancellationToken)
    {
        foreach (var payload in NotifyPayloads(effects))
        {
            using var notify = connection.Command(PostgresSql.Notify, tx, PostgresParameters.P(payload));
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The NOTIFY payloads that tell other processes about <paramref name="effects"/>.</summary>
    private List<string> NotifyPayloads(StoreEffects effects)
    {
        var payloads = new List<string>();
        if (effects.Ready)
        {
            payloads.Add(_signals.ReadyPayload);
        }

        foreach (var chunk in FinishedChunks(effects.Finished))
        {
            payloads.Add(_signals.FinishedPayloadPrefix + string.Join(',', chunk));
        }

        return payloads;
    }

    /// <summary>Finished job ids in chunks whose comma-separated text stays under NOTIFY's 8,000-byte payload limit.</summary>
    private static IEnumerable<List<string>> FinishedChunks(IEnumerable<string> jobIds)
    {
        var chunk = new List<string>();
        var length = 0;
        foreach (var id in jobIds)
        {
            if (chunk.Count > 0 && length + id.Length + 1 > 7000)
            {
                yield return chunk;
                chunk = [];
                length = 0;
            }

            chunk.Add(id);
            length += id.Length + 1;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>The server is up but cannot take this connection now: it is full, or starting.</summary>
    private static bool IsBusy(PostgresException ex) =>
        ex.SqlState is PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ConfigurationLimitExceeded;

    private static bool IsRetryable(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => true,
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } => true,
        PostgresException busy when IsBusy(busy) => true, // 53300 too many clients: wait for a connection to free up
        NpgsqlException { IsTransient: true } => true,
        System.Net.Sockets.SocketException => true,
        _ => false,
    };
}
