using System.Text.Json;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. All writes go through one connection (SQLite has one writer);
/// claims are batched and the commits of concurrent jobs share a transaction. Schedulers of one process on the same file share
/// in-process signals; other processes' commits are noticed through <c>PRAGMA data_version</c>.
/// </summary>
public sealed partial class SqliteJobStore : IJobStore, IRateLimitStore
{
    private static readonly int SchemaVersion = SqliteSql.Migrations.Length;

    private readonly SqliteConfig _options;
    private readonly string _connectionString;
    private readonly bool _inMemory;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private SqliteConnection? _writer;
    private SqliteCommands? _commands;
    private Task? _changeWatcher;
    private bool _disposed;

    /// <summary>Creates the store with a copy of <paramref name="options"/>; call <see cref="InitializeAsync"/> before use.</summary>
    /// <exception cref="EnvoyConfigurationException">The options are invalid (every problem listed).</exception>
    public SqliteJobStore(SqliteConfig options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        TimeProvider = timeProvider ?? TimeProvider.System;
        var builder = new SqliteConnectionStringBuilder(_options.BuildConnectionString());
        _inMemory = string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal) || builder.Mode == SqliteOpenMode.Memory;
        builder.Pooling = !_inMemory;
        builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
        var fullPath = _inMemory ? null : Path.GetFullPath(builder.DataSource);
        Description = "sqlite:" + (fullPath ?? ":memory:");
        Signals = fullPath is null ? new InProcessSignals() : SqliteSignalHub.For(fullPath);
        EventTransport = fullPath is null ? new InProcessEventTransport() : SqliteSignalHub.EventsFor(fullPath);
        _leaders = new LocalLeaderGroup();
        _leaderFile = fullPath is null ? null : fullPath + "-leader";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>A copy of the settings this store was created with.</summary>
    public SqliteConfig Config => _options.Clone();

    /// <inheritdoc />
    public IJobSignals Signals { get; }

    /// <inheritdoc />
    /// <remarks>
    /// In-process only: SQLite is the embedded store of one process, so the store-wide feed carries the events of the
    /// schedulers of this process that open the same file.
    /// </remarks>
    public IEventTransport EventTransport { get; }

    private TimeProvider TimeProvider { get; }

    private SqliteCommands Commands => _commands ?? throw new InvalidOperationException("The SQLite store is not initialized; call InitializeAsync first.");

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _commands) is not null)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_commands is null)
            {
                await OpenAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _initGate.Release();
        }
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {

        var writer = new SqliteConnection(_connectionString);
        try
        {
            await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw new EnvoyException($"Cannot open the SQLite database {Description}: {ex.Message}", ex);
        }

        var synchronous = _options.FullSync ? "FULL" : "NORMAL";
        Execute(writer, $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 30000; PRAGMA temp_store = MEMORY;");
        _writer = writer;
        await MigrateAsync(cancellationToken).ConfigureAwait(false);
#pragma warning disable CA2000 // Owned by the store; disposed in DisposeAsync.
        Volatile.Write(ref _commands, new SqliteCommands(writer));
#pragma warning restore CA2000
        if (!_inMemory)
        {
            _changeWatcher = WatchOtherProcessesAsync(_stopping.Token);
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
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_changeWatcher is not null)
        {
#pragma warning disable VSTHRD003 // The watcher was started by this store in InitializeAsync.
            await _changeWatcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _commands?.Dispose();
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writeGate.Release();
        }

        _stopping.Dispose();
        _writeGate.Dispose();
        _initGate.Dispose();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = _writer!.BeginTransaction(deferred: false);
            Execute(_writer, "CREATE TABLE IF NOT EXISTS envoy_schema (version INTEGER NOT NULL)", tx);
            using var read = _writer.CreateCommand();
            read.Transaction = tx;
            read.CommandText = "SELECT coalesce(max(version), 0) FROM envoy_schema";
            var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (current > SchemaVersion)
            {
                throw new EnvoyException($"The database {Description} has schema version {current}, newer than this Envoy ({SchemaVersion}).");
            }

            // Each migration runs once, in order, with the version it brings the file to (SqliteSql.Migrations).
            for (var version = current + 1; version <= SchemaVersion; version++)
            {
                Execute(_writer, SqliteSql.Migrations[version - 1], tx);
                Execute(_writer, $"INSERT INTO envoy_schema (version) VALUES ({version})", tx);
            }

            tx.Commit();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task WatchOtherProcessesAsync(CancellationToken cancellationToken)
    {
        // data_version is read on the writer connection: it changes only when another connection commits, and this store's
        // own commits all go through the writer, so only other processes (or other stores on the file) raise Changed. Read on
        // a connection of its own, it would also change on every commit of this process and wake every waiter each tick.
        using var timer = new PeriodicTimer(_options.ChangePollInterval, TimeProvider);
        try
        {
            // The baseline is taken at once, so that a commit made elsewhere before the first tick is not missed.
            var last = await ReadDataVersionAsync(cancellationToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var version = await ReadDataVersionAsync(cancellationToken).ConfigureAwait(false);
                if (version != last)
                {
                    Signals.Publish(new JobSignal(JobSignalKind.Changed));
                }

                last = version;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<long> ReadDataVersionAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Convert.ToInt64(Commands.Get("PRAGMA data_version", null).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>A durable write from a user call; <paramref name="effects"/> are published once it commits.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, StoreEffects? effects, CancellationToken cancellationToken) =>
        GroupWriteAsync(work, GroupWrite.Durable, effects, cancellationToken);

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        if (_inMemory)
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return work(Commands.Connection);
            }
            finally
            {
                _writeGate.Release();
            }
        }

        var connection = new SqliteConnection(_connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return work(connection);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // Constant SQL from SqliteSql and fixed pragmas.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static string ToJsonArray(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    private static string ToJsonArray(List<long> values) => JsonSerializer.Serialize(values);
}
