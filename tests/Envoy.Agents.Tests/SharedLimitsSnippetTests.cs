using System.Net;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class SharedLimitsSnippetTests
{
    [Fact]
    public async Task CallMyModel_AfterA429_PausesTheModelAndTheNextCallWaitsItOut()
    {
        var clock = new TimerWatchingTimeProvider();
        var limits = new PausesOnly(clock);
        var ctx = new StateContext("Call") { SharedLimits = limits };

        await Assert.ThrowsAsync<HttpRequestException>(() => SharedLimitsSnippets.CallMyModelAsync(
            ctx,
            _ => throw new HttpRequestException("Too many requests.", null, HttpStatusCode.TooManyRequests)));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(20), await limits.PausedUntilAsync("my-model"));

        var called = false;
        var next = SharedLimitsSnippets.CallMyModelAsync(ctx, _ =>
        {
            called = true;
            return Task.FromResult("answer");
        });
        Assert.Equal(TimeSpan.FromSeconds(20), await clock.WaitForTimerAsync(null, TestSupport.Patience));
        Assert.False(called);

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("answer", await next.WaitAsync(TestSupport.Patience));
    }

    [Fact]
    public async Task CallMyModel_WithoutSharedLimits_JustCalls()
    {
        Assert.Equal("answer", await SharedLimitsSnippets.CallMyModelAsync(new StateContext("Call"), _ => Task.FromResult("answer")));
    }

    /// <summary>The pauses of <see cref="ISharedLimits"/>, in memory.</summary>
    private sealed class PausesOnly(TimeProvider time) : ISharedLimits
    {
        private readonly Dictionary<string, DateTimeOffset> _pauses = [];

        public TimeProvider TimeProvider => time;

        public ValueTask<DateTimeOffset?> TryAcquireAsync(string scope, int permits, TimeSpan window, int weight, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask RecordAsync(string scope, int weight, TimeSpan window, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<DateTimeOffset> PauseAsync(string scope, DateTimeOffset until, CancellationToken cancellationToken = default)
        {
            lock (_pauses)
            {
                return ValueTask.FromResult(_pauses[scope] = _pauses.TryGetValue(scope, out var paused) && paused > until ? paused : until);
            }
        }

        public ValueTask<DateTimeOffset?> PausedUntilAsync(string scope, CancellationToken cancellationToken = default)
        {
            lock (_pauses)
            {
                return ValueTask.FromResult(_pauses.TryGetValue(scope, out var until) ? until : (DateTimeOffset?)null);
            }
        }
    }
}
