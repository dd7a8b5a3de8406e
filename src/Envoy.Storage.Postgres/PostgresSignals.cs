using Envoy.Runtime.Coordination;
using Npgsql;

namespace Envoy.Storage.Postgres;

/// <summary>
/// Signals for schedulers sharing a PostgreSQL database: delivered in-process at once, broadcast through an optional transport
/// (Redis), and received from other processes through <c>LISTEN</c> on the channel the store's transactions <c>NOTIFY</c>.
/// </summary>
internal sealed class PostgresSignals : IJobSignals, IAsyncDisposable
{
    private const string Ready = "r";
    private const string FinishedPrefix = "f:";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ISignalTransport? _transport;
    private readonly IDisposable? _transportSubscription;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _listener;

    public PostgresSignals(NpgsqlDataSource dataSource, ISignalTransport? transport, TimeProvider time)
    {
        _dataSource = dataSource;
        _transport = transport;
        _time = time;
        _transportSubscription = transport?.OnReceive(Local.Publish);
    }

    /// <summary>
    /// Starts every payload this store sends (<c>{origin}|...</c>), so that its own listener skips what this store already
    /// published in-process when its transaction committed.
    /// </summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N")[..12] + "|";

    /// <summary>The payload saying that some job became ready.</summary>
    public string ReadyPayload => Origin + Ready;

    /// <summary>The start of a payload listing jobs that finished (comma-separated ids follow).</summary>
    public string FinishedPayloadPrefix => Origin + FinishedPrefix;

    /// <summary>Subscribers of this process.</summary>
    public InProcessSignals Local { get; } = new();

    public void Publish(JobSignal signal)
    {
        Local.Publish(signal);
        _transport?.Broadcast(signal);
    }

    /// <summary>Publishes here one by one, and broadcasts them together (one Redis message per transaction).</summary>
    public void Publish(IReadOnlyList<JobSignal> signals)
    {
        foreach (var signal in signals)
        {
            Local.Publish(signal);
        }

        _transport?.Broadcast(signals);
    }

    public IDisposable Subscribe(Action<JobSignal> handler) => Local.Subscribe(handler);

    public void StartListening() => _listener ??= Task.Run(() => ListenAsync(_stopping.Token));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _transportSubscription?.Dispose();
        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) => Receive(e.Payload);
                    using (var listen = new NpgsqlCommand("LISTEN " + PostgresSql.NotifyChannel, connection))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    // Anything may have happened while we were not listening: look again.
                    Local.Publish(new JobSignal(JobSignalKind.Changed));
                    while (true)
                    {
                        await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The listener reconnects after any failure; wake-ups are hints and polling covers the gap.
            catch (Exception)
#pragma warning restore CA1031
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Receive(string payload)
    {
        if (payload.StartsWith(Origin, StringComparison.Ordinal))
        {
            return; // published in-process already, when the transaction committed
        }

        var bar = payload.IndexOf('|', StringComparison.Ordinal);
        payload = payload[(bar + 1)..];
        if (payload == Ready)
        {
            Local.Publish(new JobSignal(JobSignalKind.Ready));
        }
        else if (payload.StartsWith(FinishedPrefix, StringComparison.Ordinal))
        {
            foreach (var id in payload.AsSpan(FinishedPrefix.Length).ToString().Split(','))
            {
                Local.Publish(new JobSignal(JobSignalKind.Finished, id));
            }
        }
    }
}
