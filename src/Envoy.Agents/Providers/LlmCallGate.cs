using Microsoft.Extensions.AI;

namespace Envoy;

/// <summary>
/// The shared throttle of the model calls of one agent step (issue 18), over every process on the job's store: before a call,
/// wait while the model's scope is paused (a provider's <c>429</c> with <c>Retry-After</c>, seen by any worker) and, with
/// <see cref="AgentOptions.TokensPerMinute"/>, while the model's tokens of the last minute are at the cap; after a <c>429</c>,
/// pause the scope for every worker; after a call, record its tokens. Set for the duration of a model call by the
/// <see cref="ToolAgent"/> when the scheduler gave the step <see cref="StateContext.SharedLimits"/>; Envoy's providers
/// (<see cref="ChatClientProvider"/>, <see cref="OpenAIProvider"/>) find it here. Without one they call as they come.
/// </summary>
internal sealed class LlmCallGate(ISharedLimits limits, int? tokensPerMinute, TimeSpan tokensWindow)
{
    /// <summary>The window of <see cref="AgentOptions.TokensPerMinute"/>: one minute (the default of <see cref="AgentOptions.TokensWindow"/>).</summary>
    public static readonly TimeSpan TokenWindow = TimeSpan.FromMinutes(1);

    private static readonly AsyncLocal<LlmCallGate?> Ambient = new();

    /// <summary>The gate of the model call running in this async flow, or null.</summary>
    public static LlmCallGate? Current => Ambient.Value;

    /// <summary>Makes a gate current until the returned scope is disposed (none when the step has no shared limits).</summary>
    public static Entered Enter(StateContext ctx, int? tokensPerMinute, TimeSpan tokensWindow)
    {
        var previous = Ambient.Value;
        Ambient.Value = ctx.SharedLimits is { } limits ? new LlmCallGate(limits, tokensPerMinute, tokensWindow) : null;
        return new Entered(previous);
    }

    /// <summary>The scope key of a model behind <paramref name="client"/>: its provider and endpoint, and the model.</summary>
    public static string KeyOf(IChatClient client, string model)
    {
        var metadata = client.GetService<ChatClientMetadata>();
        var endpoint = metadata?.ProviderUri is { } uri ? uri.GetLeftPart(UriPartial.Authority) : string.Empty;
        return (metadata?.ProviderName ?? "chat") + "@" + endpoint + "/" + model;
    }

    /// <summary>Waits while <paramref name="key"/>'s calls are paused, then for a token of its per-minute cap (when set).</summary>
    public async Task WaitAsync(string key, CancellationToken cancellationToken)
    {
        var time = limits.TimeProvider;
        while (true)
        {
            var now = time.GetUtcNow();
            if (await limits.PausedUntilAsync(LlmScopes.Calls(key), cancellationToken).ConfigureAwait(false) is { } paused && paused > now)
            {
                await Task.Delay(paused - now, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (tokensPerMinute is { } cap
                && await limits.TryAcquireAsync(LlmScopes.Tokens(key), cap, tokensWindow, 1, cancellationToken).ConfigureAwait(false) is { } retryAt)
            {
                var wait = retryAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            return;
        }
    }

    /// <summary>A call was refused with <c>429</c>: pauses every worker's calls to <paramref name="key"/> for <paramref name="error"/>'s <c>Retry-After</c>.</summary>
    public async Task OnErrorAsync(string key, LlmException error, CancellationToken cancellationToken)
    {
        if (error is { StatusCode: 429, RetryAfter: { } retryAfter } && retryAfter > TimeSpan.Zero)
        {
            await limits.PauseAsync(LlmScopes.Calls(key), limits.TimeProvider.GetUtcNow() + retryAfter, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records a call's tokens against the cap (the one token taken before the call counts as one of them).</summary>
    public async Task RecordAsync(string key, LlmUsage? usage, CancellationToken cancellationToken)
    {
        if (tokensPerMinute is not null && usage is { TotalTokens: > 1 } used)
        {
            await limits.RecordAsync(LlmScopes.Tokens(key), used.TotalTokens - 1, tokensWindow, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Restores the gate that was current before <see cref="Enter"/>.</summary>
    internal readonly struct Entered(LlmCallGate? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
