using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Errors;

/// <summary>
/// Bounds the work of every API handler by <see cref="EnvoyServerOptions.RequestTimeout"/>: the handler's
/// <see cref="CancellationToken"/> (and <see cref="HttpContext.RequestAborted"/>) fire when it passes, so a request to a store
/// that is down or stuck ends with <c>503</c> <c>store_unavailable</c> instead of waiting through the store's retries. Only
/// the handler is bounded, not the writing of its result, so a streamed answer is never cut by it; a route that streams from
/// inside its handler opts out with <c>.DisableRequestTimeout()</c> (<see cref="DisableRequestTimeoutAttribute"/>).
/// </summary>
internal sealed class RequestTimeoutFilter(IOptionsMonitor<EnvoyServerOptions> options, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var timeout = options.CurrentValue.RequestTimeout;
        if (timeout == Timeout.InfiniteTimeSpan || http.GetEndpoint()?.Metadata.GetMetadata<DisableRequestTimeoutAttribute>() is not null)
        {
            return await next(context).ConfigureAwait(false);
        }

        var aborted = http.RequestAborted;
        using var timer = new CancellationTokenSource(timeout, time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timer.Token);
        // Disposed with the response: a result written after the handler may still watch the token for the client leaving.
        http.Response.RegisterForDispose(linked);
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (context.Arguments[i] is CancellationToken)
            {
                context.Arguments[i] = linked.Token;
            }
        }

        http.RequestAborted = linked.Token;
        try
        {
            return await next(context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Once the timeout fired, whatever the store threw (a cancellation, a wrapped socket error) has that cause.
        catch (Exception) when (timer.IsCancellationRequested && !aborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return EnvoyProblem.StoreUnavailable(timeout).ToResult();
        }
        finally
        {
            // The handler is done: from here on only the client leaving cancels.
            http.RequestAborted = aborted;
        }
    }
}
