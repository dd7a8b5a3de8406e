using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>The <see cref="ISharedLimits"/> the scheduler gives to steps: the store's <see cref="IRateLimitStore"/> on its clock.</summary>
internal sealed class StoreSharedLimits(IRateLimitStore store, TimeProvider time) : ISharedLimits
{
    public TimeProvider TimeProvider => time;

    public async ValueTask<DateTimeOffset?> TryAcquireAsync(string scope, int permits, TimeSpan window, int weight, CancellationToken cancellationToken = default)
    {
        var decision = await store.TryAcquireRateAsync(scope, permits, WindowMs(window), weight, NowMs, cancellationToken).ConfigureAwait(false);
        return decision.Granted ? null : JobMapper.FromMs(decision.RetryAtMs!.Value);
    }

    public async ValueTask RecordAsync(string scope, int weight, TimeSpan window, CancellationToken cancellationToken = default) =>
        await store.RecordRateUsageAsync(scope, weight, WindowMs(window), NowMs, cancellationToken).ConfigureAwait(false);

    public async ValueTask<DateTimeOffset> PauseAsync(string scope, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        JobMapper.FromMs(await store.PauseRateScopeAsync(scope, until.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false));

    public async ValueTask<DateTimeOffset?> PausedUntilAsync(string scope, CancellationToken cancellationToken = default) =>
        await store.RateScopePausedUntilAsync(scope, cancellationToken).ConfigureAwait(false) is { } until ? JobMapper.FromMs(until) : null;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static long WindowMs(TimeSpan window) => Math.Max(1, (long)Math.Ceiling(window.TotalMilliseconds));
}
