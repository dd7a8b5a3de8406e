namespace Envoy.Server.Tests.Harness;

/// <summary>Waits on a condition with a deadline (the condition is what the test expects, checked until it holds).</summary>
public static class Waiting
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
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
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}; last seen: {last}");
    }

    /// <summary>Waits until the job is running (its step started).</summary>
    public static Task<Job> UntilRunningAsync(Scheduler scheduler, string id) =>
        UntilAsync(() => scheduler.GetJobAsync(id), j => j.Status == JobStatus.Running, TimeSpan.FromSeconds(60), $"job {id} to run");
}
