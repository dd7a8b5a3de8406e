namespace Envoy.Runtime.Execution;

/// <summary>An async auto-reset event: <see cref="Set"/> wakes the current (or next) waiter once.</summary>
internal sealed class WakeSignal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set() => Volatile.Read(ref _current).TrySetResult();

    /// <summary>Waits for a <see cref="Set"/> (or the timeout); returns true when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        try
        {
            if (!current.Task.IsCompleted)
            {
                await current.Task.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            if (current.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
            }
        }
    }
}
