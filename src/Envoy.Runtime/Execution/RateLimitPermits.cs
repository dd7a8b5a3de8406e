using System.Collections.Concurrent;
using System.Globalization;
using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The permits of <see cref="FlowOptions.RateLimit"/>s, taken from the store in blocks and spent here: one store call per
/// block, not per step start. A block of k permits reserved at time r may be spent during [r, r + H] only (H, the horizon:
/// <see cref="HorizonMs"/>), and is recorded in the store at r + H, checked against the usage recorded after r − window
/// (future-dated records included): <c>TryAcquireRateAsync(scope, permits, window + H, k, now: r + H)</c>. Every start s of a
/// block lies in [r, r + H] and its record counts until r + H + window ≥ s + window, and a later reservation r' counts every
/// earlier block whose starts can share a window with its own; so no window ever holds more than the permits, over every
/// process. Block sizes adapt per scope (<see cref="RateLimitBlock.NextSize"/>): 1 at first, doubling while blocks are used up
/// within their horizon (up to <see cref="MaxBlock"/>), shrinking to what was used when one ends with permits left; from
/// blocks of <see cref="RateLimitBlock.PrefetchFrom"/> on, the next is reserved ahead once half of one is spent.
/// </summary>
internal sealed class RateLimitPermits(IRateLimitStore store, TimeProvider time, ILogger logger)
{
    /// <summary>The largest block: a limit that never binds costs one store call per this many step starts.</summary>
    internal const int MaxBlockSize = 256;

    /// <summary>Every this many refills, scopes with nothing of use left are dropped (keys seen once do not pile up).</summary>
    internal const int SweepEvery = 256;

    private const int MaxLateBlocks = 3;

    private readonly ConcurrentDictionary<string, RateLimitBlock> _scopes = new(StringComparer.Ordinal);
    private int _refills;

    /// <summary>How many scopes this process holds state for (tests: the table does not grow without bound).</summary>
    internal int ScopeCount => _scopes.Count;

    /// <summary>
    /// The horizon of a block for a window (every caller of a scope uses the same, as the store keeps each record for
    /// window + H): a tenth of the window, at least 50 ms (at most the window), at most 1 s.
    /// </summary>
    internal static long HorizonMs(long windowMs) => Math.Clamp(windowMs / 10, Math.Min(windowMs, 50), 1_000);

    /// <summary>The largest block for <paramref name="permits"/>: an eighth of them (at least 1, at most <see cref="MaxBlockSize"/>).</summary>
    internal static int MaxBlock(int permits) => Math.Clamp(permits / 8, 1, MaxBlockSize);

    /// <summary>
    /// Takes one permit of <paramref name="scope"/> for a step starting now: granted from this process's block, or from a
    /// new block taken from the store; refused with the earliest time one could be granted.
    /// </summary>
    /// <remarks>A store error, or a store answering slower than the horizon again and again, is thrown to the caller.</remarks>
    public async ValueTask<RateLimitAcquisition> TakeAsync(string scope, RateLimit limit)
    {
        var block = _scopes.GetOrAdd(scope, static _ => new RateLimitBlock());
        if (TakeHeld(block, scope, limit) is { } taken)
        {
            return taken;
        }

        await block.Refill.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            // Another caller may have refilled while this one waited (or the block reserved ahead arrived).
            if (TakeHeld(block, scope, limit) is { } fromRefill)
            {
                return fromRefill;
            }

            for (var late = 0; late < MaxLateBlocks; late++)
            {
                if (await ReserveAsync(block, scope, limit).ConfigureAwait(false) is { } decision)
                {
                    return decision;
                }
            }

            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The store answered {MaxLateBlocks} times slower than the rate limit's permit horizon ({HorizonMs(limit.WindowMs)} ms)."));
        }
        finally
        {
            block.Refill.Release();
            if (Interlocked.Increment(ref _refills) % SweepEvery == 0)
            {
                Sweep();
            }
        }
    }

    /// <summary>A permit of the block this process holds (starting to reserve the next ahead when it is time), a refusal that still holds, or null.</summary>
    private RateLimitAcquisition? TakeHeld(RateLimitBlock block, string scope, RateLimit limit)
    {
        var taken = block.TryTake(NowMs, MaxBlock(limit.Permits), out var prefetch, out var size);
        if (prefetch)
        {
            _ = PrefetchAsync(block, scope, limit, size);
        }

        return taken;
    }

    /// <summary>
    /// Asks the store for a block of <paramref name="size"/> permits spendable from <paramref name="fromMs"/> for the horizon:
    /// recorded at its end, counted against the usage after <paramref name="fromMs"/> − window (see the class summary).
    /// </summary>
    private async Task<RateLimitAcquisition> AskStoreAsync(string scope, RateLimit limit, int size, long fromMs)
    {
        var horizon = HorizonMs(limit.WindowMs);
        // Not the job's token: a cancel or stop arriving now is handled by the step that follows, or by the release.
        var decision = await store.TryAcquireRateAsync(scope, limit.Permits, limit.WindowMs + horizon, size, fromMs + horizon, CancellationToken.None).ConfigureAwait(false);
        if (decision.Granted)
        {
            RuntimeLog.RateLimitBlockTaken(logger, scope, size, JobMapper.FromMs(fromMs + horizon));
        }

        return decision;
    }

    /// <summary>
    /// Asks the store for the next block (smaller ones while it has less room): granted with one permit of it taken, the
    /// refusal, or null when the block came too late to be spent (the store answered after its horizon).
    /// </summary>
    private async Task<RateLimitAcquisition?> ReserveAsync(RateLimitBlock block, string scope, RateLimit limit)
    {
        var horizon = HorizonMs(limit.WindowMs);
        var size = block.NextSize(MaxBlock(limit.Permits));
        while (true)
        {
            var from = NowMs;
            var decision = await AskStoreAsync(scope, limit, size, from).ConfigureAwait(false);
            if (decision.Granted)
            {
                return block.InstallAndTake(from, from + horizon, size, NowMs) ? decision : null;
            }

            if (size == 1)
            {
                // The store's retry time is for a record at r + H: the same request is granted H earlier in real time.
                var refusal = decision with { RetryAtMs = decision.RetryAtMs!.Value - horizon };
                block.Refuse(refusal);
                return refusal;
            }

            size = (int)Math.Clamp(limit.Permits - decision.Used, 1, size - 1);
        }
    }

    /// <summary>
    /// Reserves the next block while the current one still has permits, so that steps do not wait for the store when it runs
    /// out (a refill already running does it instead). Errors are left to the next refill, which meets them in front of a step.
    /// </summary>
    private async Task PrefetchAsync(RateLimitBlock block, string scope, RateLimit limit, int size)
    {
        (long, long, int)? spare = null;
        var refilling = !await block.Refill.WaitAsync(0, CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!refilling)
            {
                var from = NowMs;
                if ((await AskStoreAsync(scope, limit, size, from).ConfigureAwait(false)).Granted)
                {
                    spare = (from, from + HorizonMs(limit.WindowMs), size);
                }
            }
        }
#pragma warning disable CA1031 // Reserving ahead is an optimisation: a store error shows at the next refill, in front of a step.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            RuntimeLog.RateLimitPrefetchFailed(logger, ex, scope);
        }
        finally
        {
            block.Prefetched(spare);
            if (!refilling)
            {
                block.Refill.Release();
            }
        }
    }

    private void Sweep()
    {
        var now = NowMs;
        foreach (var (scope, block) in _scopes)
        {
            if (block.IsIdle(now))
            {
                _scopes.TryRemove(new KeyValuePair<string, RateLimitBlock>(scope, block));
            }
        }
    }

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();
}
