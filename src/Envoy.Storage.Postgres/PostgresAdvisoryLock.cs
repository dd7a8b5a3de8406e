using Envoy.Runtime.Coordination;
using Npgsql;

namespace Envoy.Storage.Postgres;

/// <summary>
/// A leader lock made of a session-level PostgreSQL advisory lock on a connection kept open for it: the server releases it
/// when the connection ends (the holder's process died, or the server restarted), and another holder takes it on its next
/// try. The time-to-live is not needed: liveness is the connection's.
/// </summary>
internal sealed class PostgresAdvisoryLock(NpgsqlDataSource dataSource, long key) : ILeaderLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private bool _held;

    public string Description => "PostgreSQL advisory lock";

    public async Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection ??= await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            // While held, the query proves the session (and so the lock) is still alive; otherwise it tries to take the lock.
            using var command = _held
                ? new NpgsqlCommand("SELECT true", _connection)
                : new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", _connection) { Parameters = { new NpgsqlParameter { Value = key } } };
            _held = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            return _held;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            await DropConnectionAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_held && _connection is not null)
            {
                using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection) { Parameters = { new NpgsqlParameter { Value = key } } };
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            // The session is gone, and the lock with it.
        }
        finally
        {
            await DropConnectionAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task DropConnectionAsync()
    {
        _held = false;
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
