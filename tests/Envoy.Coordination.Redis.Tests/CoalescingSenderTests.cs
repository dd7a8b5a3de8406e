namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// <c>CoalescingSender</c>, the Ready signal's publisher: one send at a time; requests made while one is in flight become one
/// more send, started after the last of them; a lone request is sent at once; a failed send does not stop the next.
/// </summary>
public sealed class CoalescingSenderTests
{
    private readonly List<(TaskCompletionSource Done, int RequestsBefore)> _sends = [];
    private int _requests;

    [Fact]
    public async Task ABurst_WhileOneSendIsInFlight_IsOneMoreSend_StartedAfterTheLastRequest()
    {
        const int Burst = 1000;
        var sender = new CoalescingSender(Send);

        for (var i = 0; i < Burst; i++)
        {
            Request(sender);
        }

        var first = Assert.Single(_sends);
        Assert.Equal(0, first.RequestsBefore); // the first request was sent at once
        first.Done.SetResult();
        await Redis.UntilAsync(() => Count >= 2, "the next send started");

        Assert.Equal(2, Count);
        Assert.Equal(Burst, _sends[1].RequestsBefore); // started after every request of the burst
        var second = _sends[1].Done;
        second.SetException(new InvalidOperationException("Redis went away.")); // dropped: signals are hints
        await Redis.UntilAsync(() => sender.IsIdle, "the sender is idle again"); // nothing asked for since: no third send
        Assert.Equal(2, Count);

        Request(sender);
        Assert.Equal(3, Count); // idle (a failed send counts as done): a lone request goes at once, within its call
        Assert.Equal(Burst, _sends[2].RequestsBefore);
    }

    private int Count
    {
        get
        {
            lock (_sends)
            {
                return _sends.Count;
            }
        }
    }

    private Task Send()
    {
        var done = new TaskCompletionSource();
        lock (_sends)
        {
            _sends.Add((done, Volatile.Read(ref _requests)));
        }

        return done.Task;
    }

    private void Request(CoalescingSender sender)
    {
        sender.Request();
        Interlocked.Increment(ref _requests);
    }
}
