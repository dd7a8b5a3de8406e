using Envoy.Runtime.Coordination;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// The maintenance leader lock of a SQLite file, shared by every process (and every store instance) that opens the file: an
/// exclusive OS lock on a side file next to the database (<c>envoy.db-leader</c>, like SQLite's own <c>-wal</c> and <c>-shm</c>).
/// The leader keeps the side file open; the operating system releases the lock when it closes it or when its process dies,
/// so a successor takes over at its next attempt without waiting for a time-to-live.
/// </summary>
internal sealed class SqliteFileLeaderLock(string path) : ILeaderLock
{
    private readonly Lock _gate = new();
    private FileStream? _held;

    /// <inheritdoc />
    public string Description => "file lock " + path;

    /// <inheritdoc />
    public Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_held is not null)
            {
                return Task.FromResult(true);
            }

            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix, a share lock on Windows) that every other open
                // of the file with FileShare.None, in this process or another, is refused while it is held.
                _held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                return Task.FromResult(true);
            }
            catch (IOException)
            {
                return Task.FromResult(false);
            }
            catch (UnauthorizedAccessException)
            {
                return Task.FromResult(false);
            }
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        lock (_gate)
        {
            _held?.Dispose();
            _held = null;
        }
    }
}
