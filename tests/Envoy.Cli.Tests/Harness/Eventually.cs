namespace Envoy.Cli.Tests.Harness;

/// <summary>Waits for a condition read repeatedly (a short pause between reads), failing after a generous timeout.</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        using var deadline = new CancellationTokenSource(limit);
        var last = default(T);
        while (!deadline.IsCancellationRequested)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}; last seen: {last}");
    }
}
