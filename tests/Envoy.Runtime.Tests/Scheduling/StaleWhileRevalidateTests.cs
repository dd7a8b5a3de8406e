using Envoy.Runtime.Execution;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>The counts behind <c>GetJobStatsAsync</c>: served stale, refreshed in the background, at most one read at a time.</summary>
public sealed class StaleWhileRevalidateTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000));
    private readonly Queue<TaskCompletionSource<string>> _reads = new();
    private readonly SemaphoreSlim _readStarted = new(0);

    /// <inheritdoc />
    public void Dispose() => _readStarted.Dispose();

    [Fact]
    public async Task FirstCallers_ShareOneRead()
    {
        var cache = NewCache();

        var first = cache.GetAsync();
        var second = cache.GetAsync();
        await NextReadAsync("v1");

        Assert.Equal("v1", (await first.WaitAsync(Wait)).Value);
        Assert.Equal("v1", (await second.WaitAsync(Wait)).Value);
        Assert.Equal(1, cache.Reads);
    }

    [Fact]
    public async Task StaleValue_ReturnsAtOnce_AndStartsOneRefresh()
    {
        var cache = NewCache();
        var first = cache.GetAsync();
        await NextReadAsync("v1");
        await first.WaitAsync(Wait);

        // Young: no read.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal("v1", (await cache.GetAsync().WaitAsync(Wait)).Value);
        Assert.Equal(1, cache.Reads);

        // Old: many callers get the old value at once; one read starts.
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 10; i++)
        {
            var (value, readAt) = await cache.GetAsync().WaitAsync(Wait);
            Assert.Equal("v1", value);
            Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMilliseconds(1_500), readAt);
        }

        Assert.Equal(2, cache.Reads);
        await NextReadAsync("v2");
        await EventuallyAsync(async () => (await cache.GetAsync()).Value == "v2");
        Assert.Equal(2, cache.Reads);
    }

    [Fact]
    public async Task FailedRefresh_KeepsTheLastValue_AndTheFirstReadsErrorReachesItsCallers()
    {
        var cache = NewCache();
        var first = cache.GetAsync();
        await NextReadAsync(null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(Wait));

        var second = cache.GetAsync();
        await NextReadAsync("v1");
        Assert.Equal("v1", (await second.WaitAsync(Wait)).Value);

        // A refresh fails: the old value stays, and once that read has ended the next call starts another.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("v1", (await cache.GetAsync().WaitAsync(Wait)).Value);
        await NextReadAsync(null);
        await EventuallyAsync(async () => (await cache.GetAsync()).Value == "v1" && cache.Reads == 4);
        await NextReadAsync("v2");
        await EventuallyAsync(async () => (await cache.GetAsync()).Value == "v2");
    }

    [Fact]
    public async Task SlowRead_WaitsLongerBeforeTheNextRefresh()
    {
        var cache = NewCache();
        var first = cache.GetAsync();
        await _readStarted.WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(1));
        _reads.Dequeue().SetResult("v1");
        await first.WaitAsync(Wait);

        // The read took a second: the next refresh waits CostFactor seconds, not the minimum age.
        _time.Advance(TimeSpan.FromSeconds(StaleWhileRevalidate<string>.CostFactor) - TimeSpan.FromMilliseconds(1));
        await cache.GetAsync().WaitAsync(Wait);
        Assert.Equal(1, cache.Reads);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await cache.GetAsync().WaitAsync(Wait);
        Assert.Equal(2, cache.Reads);
    }

    private StaleWhileRevalidate<string> NewCache() => new(
        _ =>
        {
            var read = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_reads)
            {
                _reads.Enqueue(read);
            }

            _readStarted.Release();
            return read.Task;
        },
        _time,
        TimeSpan.FromSeconds(1));

    /// <summary>Waits for the next read to start and completes it (null: fails it).</summary>
    private async Task NextReadAsync(string? value)
    {
        Assert.True(await _readStarted.WaitAsync(Wait), "No read started.");
        TaskCompletionSource<string> read;
        lock (_reads)
        {
            read = _reads.Dequeue();
        }

        if (value is null)
        {
            read.SetException(new InvalidOperationException("the store is down"));
        }
        else
        {
            read.SetResult(value);
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
