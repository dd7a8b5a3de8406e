using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Storage.Postgres;

/// <remarks>
/// The rules are the runtime's <see cref="JobStateMachine"/>; each operation runs them on a
/// <see cref="PostgresJobTransaction"/> in one transaction.
/// </remarks>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        return TransactAsync(
            (connection, tx, effects) => JobStateMachine.ResolveWaitAsync(new PostgresJobTransaction(connection, tx, effects), resolution, cancellationToken).AsTask(),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return TransactAsync(
            (connection, tx, effects) => JobStateMachine.ReplyToEscalationAsync(new PostgresJobTransaction(connection, tx, effects), reply, cancellationToken).AsTask(),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default)
    {
        JobStateMachine.ThrowIfNotFinishableByHand(status);
        return TransactAsync(
            (connection, tx, effects) => JobStateMachine.FinishAsync(new PostgresJobTransaction(connection, tx, effects), jobId, status, error, nowMs, cancellationToken).AsTask(),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default) =>
        TransactAsync(
            (connection, tx, effects) => JobStateMachine.RetryAsync(new PostgresJobTransaction(connection, tx, effects), jobId, nowMs, cancellationToken).AsTask(),
            cancellationToken);
}
