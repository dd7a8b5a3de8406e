using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Npgsql;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore : IStoreHealthProbe
{
    /// <inheritdoc />
    public ICoordinationProbe? Coordination => _transport as ICoordinationProbe;

    /// <inheritdoc />
    /// <remarks>
    /// A pooled connection that outlived a server restart fails once on its next use: the pool is then cleared and the probe
    /// tried once more on a new connection, so a server that is back reads as healthy at once.
    /// </remarks>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await SelectOneAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
        {
            _dataSource.Clear();
            await SelectOneAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SelectOneAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.Command("SELECT 1", null);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
