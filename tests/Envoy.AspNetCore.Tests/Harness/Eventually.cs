using System.Diagnostics;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>Waits for a condition (polled), with a timeout: how tests wait for state that changes in the background.</summary>
public static class Eventually
{
    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds; fails naming <paramref name="what"/> and the last value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting for {what}; last value: {value}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
