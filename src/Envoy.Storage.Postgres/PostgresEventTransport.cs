using Envoy.Runtime.Coordination;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>
/// The store-wide event feed over PostgreSQL: payloads travel by <c>NOTIFY</c> on <c>envoy_events</c> (its own channel, so
/// the wake-up listeners never see them), several in one round trip; listeners announce themselves in
/// <c>envoy.event_listeners</c>. The <c>LISTEN</c> connection is open only while a handler is registered (a feed has
/// subscribers), and reconnects after a failure (what was sent meanwhile is lost: best effort).
/// </summary>
internal sealed class PostgresEventTransport(NpgsqlDataSource dataSource, TimeProvider time) : IEventTransport, IAsyncDisposable
{
    /// <summary>Below PostgreSQL's 8,000-byte <c>NOTIFY</c> payload limit, with room to spare.</summary>
    public const int NotifyPayloadLimit = 7_900;

    private readonly Lock _gate = new();
    private Action<string>[] _handlers = [];
#pragma warning disable CA2213 // Disposed by StopListening once its listener has ended (DisposeAsync stops it).
    private CancellationTokenSource? _listening;
#pragma warning restore CA2213
    private Task _listener = Task.CompletedTask;

    /// <inheritdoc />
    public int MaxPayloadBytes => NotifyPayloadLimit;

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<string> payloads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (payloads.Count == 0)
        {
            return;
        }

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var batch = new NpgsqlBatch(connection);
            foreach (var payload in payloads)
            {
                var command = new NpgsqlBatchCommand(PostgresSql.NotifyEvents);
                command.Parameters.Add(P(payload));
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> HasListenersAsync(long nowMs, CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.Command(PostgresSql.HasEventListeners, null, P(nowMs));
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <inheritdoc />
    public async Task AnnounceListenerAsync(string listenerId, long untilMs, long nowMs, CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var batch = new NpgsqlBatch(connection);
            var announce = new NpgsqlBatchCommand(PostgresSql.AnnounceEventListener);
            announce.Parameters.Add(P(listenerId));
            announce.Parameters.Add(P(untilMs));
            batch.BatchCommands.Add(announce);
            var forget = new NpgsqlBatchCommand(PostgresSql.ForgetExpiredEventListeners);
            forget.Parameters.Add(P(nowMs));
            batch.BatchCommands.Add(forget);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task WithdrawListenerAsync(string listenerId, CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.Command(PostgresSql.WithdrawEventListener, null, P(listenerId));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public IDisposable OnReceive(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            if (_listening is null)
            {
                _listening = new CancellationTokenSource();
                var token = _listening.Token;
                var previous = _listener;
                _listener = Task.Run(async () =>
                {
                    await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // one LISTEN connection at a time
                    await ListenAsync(token).ConfigureAwait(false);
                });
            }
        }

        return new Subscription(this, handler);
    }

    public async ValueTask DisposeAsync()
    {
        Task listener;
        lock (_gate)
        {
            _handlers = [];
            StopListening();
            listener = _listener;
        }

        await listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Remove(Action<string> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => !ReferenceEquals(h, handler));
            if (_handlers.Length == 0)
            {
                StopListening();
            }
        }
    }

    private void StopListening()
    {
        if (_listening is { } listening)
        {
            _listening = null;
            listening.Cancel();
            _listener = _listener.ContinueWith(_ => listening.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) =>
                    {
                        foreach (var handler in Volatile.Read(ref _handlers))
                        {
                            handler(e.Payload);
                        }
                    };
                    using (var listen = new NpgsqlCommand("LISTEN " + PostgresSql.EventsChannel, connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    try
                    {
                        while (true)
                        {
                            await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        // The connection goes back to the pool (no reset on close): it must not keep listening there.
                        await UnlistenAsync(connection).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The listener reconnects after any failure; events are best effort.
            catch (Exception)
#pragma warning restore CA1031
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                using var unlisten = new NpgsqlCommand("UNLISTEN " + PostgresSql.EventsChannel, connection);
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A broken connection is not returned to the pool anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class Subscription(PostgresEventTransport owner, Action<string> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
