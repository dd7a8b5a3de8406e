using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Storage.Sqlite;

/// <remarks>
/// The rules are the runtime's <see cref="JobStateMachine"/>; each operation runs them on a <see cref="SqliteJobTransaction"/>
/// in one group write.
/// </remarks>
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var effects = new StoreEffects();
        return WriteAsync(
            tx => SqliteJobTransaction.RunSynchronously(JobStateMachine.ResolveWaitAsync(new SqliteJobTransaction(this, tx, effects), resolution, CancellationToken.None)),
            effects,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var effects = new StoreEffects();
        return WriteAsync(
            tx => SqliteJobTransaction.RunSynchronously(JobStateMachine.ReplyToEscalationAsync(new SqliteJobTransaction(this, tx, effects), reply, CancellationToken.None)),
            effects,
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default)
    {
        JobStateMachine.ThrowIfNotFinishableByHand(status);
        var effects = new StoreEffects();
        return await WriteAsync(
            tx => SqliteJobTransaction.RunSynchronously(JobStateMachine.FinishAsync(new SqliteJobTransaction(this, tx, effects), jobId, status, error, nowMs, CancellationToken.None)),
            effects,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default)
    {
        var effects = new StoreEffects();
        return WriteAsync(
            tx => SqliteJobTransaction.RunSynchronously(JobStateMachine.RetryAsync(new SqliteJobTransaction(this, tx, effects), jobId, nowMs, CancellationToken.None)),
            effects,
            cancellationToken);
    }
}
