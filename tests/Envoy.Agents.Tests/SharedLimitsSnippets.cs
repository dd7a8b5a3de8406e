using System.Net;

namespace Envoy.Agents.Tests;

/// <summary>The snippet of docs/operations.md "LLM provider limits" for a model client of one's own, compiled (and tested).</summary>
public static class SharedLimitsSnippets
{
    /// <summary>
    /// Calls a model with a client of one's own from a step: waits while any worker's 429 paused the model, and pauses it for
    /// every worker on a 429 of its own.
    /// </summary>
    public static async Task<string> CallMyModelAsync(StateContext ctx, Func<CancellationToken, Task<string>> call)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(call);
        const string scope = "my-model"; // one per model and endpoint; Envoy's own scopes start with "llm" and "flow:"
        var limits = ctx.SharedLimits; // null in an in-process run: nothing to share
        while (limits is not null
            && await limits.PausedUntilAsync(scope, ctx.CancellationToken) is { } until
            && until - limits.TimeProvider.GetUtcNow() is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, limits.TimeProvider, ctx.CancellationToken); // then look again: another worker may pause it longer
        }

        try
        {
            return await call(ctx.CancellationToken);
        }
        catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests && limits is not null)
        {
            await limits.PauseAsync(scope, limits.TimeProvider.GetUtcNow() + TimeSpan.FromSeconds(20), ctx.CancellationToken);
            throw; // the step fails and is retried; every worker's next call waits until the pause ends
        }
    }
}
