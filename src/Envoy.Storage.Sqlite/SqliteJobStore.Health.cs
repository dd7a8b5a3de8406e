using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore : IStoreHealthProbe
{
    /// <inheritdoc />
    /// <remarks>SQLite has no coordination server: always null.</remarks>
    public ICoordinationProbe? Coordination => null;

    /// <inheritdoc />
    /// <remarks>Opens the file (creating and migrating it on first use, like any read) and runs <c>SELECT 1</c>.</remarks>
    public Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ReadAsync(
            connection =>
            {
                Execute(connection, "SELECT 1");
                return true;
            },
            cancellationToken);
    }
}
