namespace Envoy.Runtime.Execution;

/// <summary>
/// Tells this scheduler's <see cref="TimerFiring"/> that a step committed here armed a timer (so that it wakes for it rather
/// than at its next periodic look at the store).
/// </summary>
internal sealed class TimerArming
{
    private Action<long>? _listener;

    /// <summary>Sets (or, with null, clears) the one listener.</summary>
    public void Listen(Action<long>? listener) => Volatile.Write(ref _listener, listener);

    /// <summary>A timer due at <paramref name="dueAtMs"/> was committed.</summary>
    public void Armed(long dueAtMs) => Volatile.Read(ref _listener)?.Invoke(dueAtMs);
}
