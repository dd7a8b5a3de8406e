using System.Collections.Concurrent;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Envoy;

/// <summary>
/// The Polly pipelines around model calls: a per-attempt timeout inside an exponential retry (with jitter, honouring
/// <c>Retry-After</c>) for transient failures. Delays and timeouts run on the provider's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class LlmResilience(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(TimeSpan Timeout, int Retries, TimeSpan Delay, TimeSpan MaxDelay, bool WithTimeout), ResiliencePipeline> _pipelines = new();

    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>The pipeline for a call: retries and (unless <paramref name="withTimeout"/> is false) the attempt timeout.</summary>
    public ResiliencePipeline For(LlmConfig config, bool withTimeout = true)
    {
        var key = (
            config.Timeout ?? LlmConfig.DefaultTimeout,
            config.MaxRetries ?? LlmConfig.DefaultMaxRetries,
            config.RetryDelay ?? LlmConfig.DefaultRetryDelay,
            config.RetryMaxDelay ?? LlmConfig.DefaultRetryMaxDelay,
            withTimeout);
        return _pipelines.GetOrAdd(key, Build);
    }

    private ResiliencePipeline Build((TimeSpan Timeout, int Retries, TimeSpan Delay, TimeSpan MaxDelay, bool WithTimeout) key)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider };
        if (key.Retries > 0)
        {
            var maxDelay = key.MaxDelay < key.Delay ? key.Delay : key.MaxDelay;
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<LlmException>(e => e.IsTransient).Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = key.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = key.Delay,
                MaxDelay = maxDelay,
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is LlmException { RetryAfter: { } retryAfter } ? (retryAfter > maxDelay ? maxDelay : retryAfter) : null),
            });
        }

        if (key.WithTimeout && key.Timeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(key.Timeout);
        }

        return builder.Build();
    }
}
