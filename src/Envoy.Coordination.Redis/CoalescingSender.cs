namespace Envoy.Coordination.Redis;

/// <summary>
/// Sends a message that says the same thing each time (the Ready signal: "some job may start: look again") at most once at a
/// time: requests that arrive while a send is in flight are folded into one more send, started as soon as it completes. A
/// burst of any number of requests costs at most two sends while one is in flight, a lone request is sent at once, and the
/// last request is always followed by a send that started after it (a freed slot is never left unannounced). A failed send
/// counts as done (signals are hints).
/// </summary>
internal sealed class CoalescingSender(Func<Task> send)
{
    private const int Idle = 0; // 1: a send in flight
    private const int SendingAndWanted = 2;

    private int _state;

    /// <summary>True when no send is in flight.</summary>
    public bool IsIdle => Volatile.Read(ref _state) == Idle;

    /// <summary>Sends now when nothing is in flight; else makes sure one more send starts after the one in flight.</summary>
    public void Request()
    {
        var state = Volatile.Read(ref _state);
        while (state != SendingAndWanted)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                if (state == Idle)
                {
                    _ = SendAsync();
                }

                return;
            }

            state = seen;
        }
    }

    private async Task SendAsync()
    {
        do
        {
            try
            {
                await send().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A signal that could not be sent is dropped (signals are hints); the next request sends again.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        while (Interlocked.Decrement(ref _state) != Idle); // SendingAndWanted → in flight: one more send, after every request so far
    }
}
