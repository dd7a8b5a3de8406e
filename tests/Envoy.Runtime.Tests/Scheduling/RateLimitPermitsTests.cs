using Envoy.Runtime.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="RateLimitPermits"/>: permits taken from the store in blocks (one call per block), the block sizes, refusals in
/// real time, and that the limit stays exact over several processes (several instances on one store).
/// </summary>
public sealed class RateLimitPermitsTests
{
    private const long T0 = 1_900_000_000_000;
    private const string Scope = "flow:1:f";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));
    private readonly RateLimitLogStore _store = new();

    [Fact]
    public async Task NonBindingLimit_1000Starts_TakeBlocksThatDoubleUpToTheCap_12StoreCalls()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var limit = new RateLimit(1_000_000, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
            if (i % 10 == 9)
            {
                _time.Advance(TimeSpan.FromMilliseconds(1)); // 10,000 starts per second
            }
        }

        // From the block of 4 on, the next is reserved ahead once half of one is spent: the last of 256 is not needed.
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256, 256], _store.Requests.Select(r => r.Weight));
        Assert.All(_store.Requests, r => Assert.Equal(1_000 + 100, r.WindowMs)); // window + horizon (100 ms for 1 s)
        Assert.Equal(T0 + 100, _store.Requests[0].NowMs); // recorded at the end of its horizon
    }

    [Fact]
    public async Task BlockEndingWithPermitsLeft_TheNextBlockIsWhatItUsed()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var limit = new RateLimit(1_000, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await permits.TakeAsync(Scope, limit)).Granted); // blocks of 1, 2, then 4 (2 used)
        }

        _time.Advance(TimeSpan.FromMilliseconds(101)); // the block of 4 ends with 2 left (and the 8 reserved ahead, unspent)
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
        _time.Advance(TimeSpan.FromMilliseconds(101)); // the block of 2, used up: the next is 4
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);

        Assert.Equal([1, 2, 4, 8, 2, 4], _store.Requests.Select(r => r.Weight));
        Assert.Equal([T0 + 100, T0 + 100, T0 + 100, T0 + 100, T0 + 201, T0 + 302], _store.Requests.Select(r => r.NowMs));
    }

    [Fact]
    public async Task BindingLimit_RefusesUntilTheFirstRecordLeavesTheWindow_InRealTime_WithoutAskingTheStoreAgain()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var limit = new RateLimit(2, TimeSpan.FromSeconds(1)); // blocks of 1 (2 / 8 rounds down to 0: at least 1)
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);

        var refused = await permits.TakeAsync(Scope, limit);
        Assert.False(refused.Granted);
        Assert.Equal(T0 + 1_100, refused.RetryAtMs); // both recorded at T0 + 100 (their horizon's end): they leave at T0 + 1100
        var calls = _store.Requests.Count;

        _time.Advance(TimeSpan.FromMilliseconds(1_099));
        Assert.Equal(T0 + 1_100, (await permits.TakeAsync(Scope, limit)).RetryAtMs);
        Assert.Equal(calls, _store.Requests.Count); // the refusal holds until then: no store call

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
    }

    [Fact]
    public async Task BlockRefusedForLackOfRoom_ASmallerBlockTakesWhatIsLeft()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var other = new RateLimitPermits(_store, _time, NullLogger.Instance); // another process on the same store
        var limit = new RateLimit(40, TimeSpan.FromSeconds(10)); // blocks of at most 5, horizon 1 s
        for (var i = 0; i < 7; i++)
        {
            Assert.True((await permits.TakeAsync(Scope, limit)).Granted); // blocks of 1, 2 and 4, and 5 reserved ahead: 12
        }

        var granted = 0;
        while ((await other.TakeAsync(Scope, limit)).Granted)
        {
            granted++;
        }

        Assert.Equal(40 - 12, granted); // the rest: in the end a block of 5 is refused (39 used) and one of 1 granted
        var requests = _store.Requests;
        var refusedBlock = requests.ToList().FindIndex(r => !r.Granted && r.Weight > 1);
        Assert.True(refusedBlock >= 0 && requests.Skip(refusedBlock).Any(r => r.Granted && r.Weight == 1), string.Join(", ", requests.Select(r => $"{r.Weight}{(r.Granted ? "" : " refused")}")));
        Assert.Equal(40, requests.Where(r => r.Granted).Sum(r => r.Weight));

        _time.Advance(TimeSpan.FromMilliseconds(1_001)); // every block ended, 5 unspent: no permit until the window moves on
        Assert.False((await other.TakeAsync(Scope, limit)).Granted);
        Assert.False((await permits.TakeAsync(Scope, limit)).Granted);
    }

    [Fact]
    public async Task ManyProcesses_RandomStartTimes_NoWindowEverHoldsMoreThanThePermits()
    {
        var random = new Random(18);
        var processes = Enumerable.Range(0, 4).Select(_ => new RateLimitPermits(_store, _time, NullLogger.Instance)).ToList();
        var limit = new RateLimit(50, TimeSpan.FromMilliseconds(1_000));
        var starts = new List<long>();
        for (var i = 0; i < 20_000; i++)
        {
            if (random.Next(4) == 0)
            {
                _time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 6)));
            }

            if ((await processes[random.Next(processes.Count)].TakeAsync(Scope, limit)).Granted)
            {
                starts.Add(_time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }

        AssertNoWindowHoldsMore(starts, limit);
        Assert.True(starts.Count > 500, $"only {starts.Count} starts"); // the limit binds, and still lets starts through
    }

    [Fact]
    public async Task StoreSlowerThanTheHorizon_BlocksComeTooLateToSpend_ThreeInARowThrow()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var limit = new RateLimit(1_000, TimeSpan.FromSeconds(1)); // horizon 100 ms
        _store.DuringCall = () => _time.Advance(TimeSpan.FromMilliseconds(101));
        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await permits.TakeAsync(Scope, limit));
        Assert.Contains("slower than the rate limit's permit horizon (100 ms)", error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 1, 1], _store.Requests.Select(r => r.Weight)); // each late block was used by none: the next is 1

        _store.DuringCall = () => _time.Advance(TimeSpan.FromMilliseconds(100)); // just in time
        Assert.True((await permits.TakeAsync(Scope, limit)).Granted);
    }

    [Fact]
    public async Task ScopesSeenOnce_AreDroppedOnceIdle_TheTableDoesNotGrowWithoutBound()
    {
        var permits = new RateLimitPermits(_store, _time, NullLogger.Instance);
        var limit = new RateLimit(10, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5_000; i++)
        {
            Assert.True((await permits.TakeAsync("flow:1:f:key:" + i, limit)).Granted);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(permits.ScopeCount, 1, 2 * RateLimitPermits.SweepEvery);
    }

    /// <summary>Fails when a window (t − window, t] over the sorted start times holds more than the permits.</summary>
    internal static void AssertNoWindowHoldsMore(IReadOnlyList<long> startsMs, RateLimit limit)
    {
        var sorted = startsMs.Order().ToList();
        var windowMs = (long)limit.Window.TotalMilliseconds;
        var first = 0;
        for (var last = 0; last < sorted.Count; last++)
        {
            while (sorted[first] <= sorted[last] - windowMs)
            {
                first++;
            }

            Assert.True(last - first + 1 <= limit.Permits, $"{last - first + 1} starts in ({sorted[last] - windowMs}, {sorted[last]}]: more than {limit}");
        }
    }
}
