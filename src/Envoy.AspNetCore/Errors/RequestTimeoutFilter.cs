using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Errors;

/// <summary>
/// Bounds the work of every API handler by <see cref="EnvoyServerOptions.RequestTimeout"/>: the handler's
/// <see cref="CancellationToken"/> (and <see cref="HttpContext.RequestAborted"/>) fire when it passes, so a request to a store
/// that is down or stuck ends with <c>503</c> <c>store_unavailable</c> instead of waiting through the store's retries. Only
/// the handler is bounded, not the writing of its result, so a streamed answer is never cut by it; a route that streams from
/// inside its handler opts out with <c>.DisableRequestTimeout()</c> (<see cref="DisableRequestTimeoutAttribute"/>), and a route
/// declared to produce <c>text/event-stream</c> is left alone.
/// </summary>
internal sealed class RequestTimeoutFilter(IOptionsMonitor<EnvoyServerOptions> options, TimeProvider time) : IEndpointFilter
{
    /// <summary>How long after the timeout a handler that has not ended yet is answered anyway.</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var timeout = options.CurrentValue.RequestTimeout;
        if (timeout == Timeout.InfiniteTimeSpan || IsExempt(http.GetEndpoint()))
        {
            return await next(context).ConfigureAwait(false);
        }

        var aborted = http.RequestAborted;
        // CancelAfter on the linked source itself: a driver may cancel synchronously inside the token's callback (Npgsql sends
        // a cancel request to a server that may be frozen); that runs on the timer's thread, never on this request's path.
        var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        // Disposed with the response: a result written after the handler may still watch the token for the client leaving.
        http.Response.RegisterForDispose(linked);
        linked.CancelAfter(timeout);
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            if (context.Arguments[i] is CancellationToken)
            {
                context.Arguments[i] = linked.Token;
            }
        }

        http.RequestAborted = linked.Token;
        var work = next(context).AsTask();
        try
        {
            // The handler normally ends soon after its token fires; one that does not (a driver still waiting for a frozen
            // server) is answered anyway a moment later, and left to end in the background.
            var result = await work.WaitAsync(timeout + Grace, time).ConfigureAwait(false);
            // The handler is done: from here on only the client leaving cancels.
            linked.CancelAfter(Timeout.InfiniteTimeSpan);
            return result;
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return EnvoyProblem.StoreUnavailable(timeout).ToResult();
        }
#pragma warning disable CA1031 // Once the timeout fired, whatever the store threw (a cancellation, a wrapped socket error) has that cause.
        catch (Exception) when (linked.IsCancellationRequested && !aborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return EnvoyProblem.StoreUnavailable(timeout).ToResult();
        }
        finally
        {
            http.RequestAborted = aborted;
        }
    }

    /// <summary>Whether each endpoint is exempt, worked out once per endpoint (its metadata never changes).</summary>
    private static readonly ConditionalWeakTable<Endpoint, StrongBox<bool>> Exemptions = [];

    /// <summary>A route that opted out, or that answers with a stream of events (it lives as long as its client).</summary>
    private static bool IsExempt(Endpoint? endpoint) =>
        endpoint is not null && Exemptions.GetValue(endpoint, static e => new StrongBox<bool>(ComputeIsExempt(e))).Value;

    private static bool ComputeIsExempt(Endpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<DisableRequestTimeoutAttribute>() is not null
            || endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Any(p => p.ContentTypes.Any(c => c.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))));
}
