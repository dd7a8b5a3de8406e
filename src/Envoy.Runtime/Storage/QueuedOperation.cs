namespace Envoy.Runtime.Storage;

/// <summary>
/// One caller's operation waiting in a store's write queue for a writer that runs many in one transaction: queued, then taken
/// by a writer (<see cref="TryStart"/>) or cancelled by its caller first (<see cref="TryCancel"/>), never both; once started it
/// runs to its outcome (<see cref="Succeed"/> or <see cref="Fail"/>) whatever its caller's token does, since it shares its
/// transaction with others. The caller awaits <see cref="Task"/>, whose continuations never run on the writer's thread.
/// </summary>
/// <typeparam name="T">What the operation returns to its caller.</typeparam>
public class QueuedOperation<T>
{
    private const int Queued = 0;
    private const int Started = 1;
    private const int Cancelled = 2;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    /// <summary>Completes with the operation's outcome, or cancelled when its caller cancelled it while it was queued.</summary>
    public Task<T> Task => _done.Task;

    /// <summary>Takes the operation for a writer: true when it was still queued (it will run), false when it was cancelled.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

    /// <summary>Cancels the operation if it is still queued (a writer then skips it); an operation already started runs on.</summary>
    /// <returns>True when it was cancelled.</returns>
    public bool TryCancel(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) != Queued)
        {
            return false;
        }

        _done.TrySetCanceled(cancellationToken);
        return true;
    }

    /// <summary>
    /// Cancels the operation when <paramref name="cancellationToken"/> fires while it is still queued; dispose the registration
    /// once the operation completed.
    /// </summary>
    public CancellationTokenRegistration CancelWhen(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((QueuedOperation<T>)state!).TryCancel(token), this)
            : default;

    /// <summary>Completes the started operation with its result.</summary>
    public void Succeed(T result) => _done.TrySetResult(result);

    /// <summary>Completes the started operation with its error.</summary>
    public void Fail(Exception error) => _done.TrySetException(error);
}
