using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Errors;

/// <summary>
/// Wraps every API route: a typed Envoy error becomes its problem (<see cref="EnvoyProblemMapper"/>), a body over the limit
/// <c>413</c> <c>body_too_large</c>. Anything else is a server error and goes on to the app's own error handling.
/// </summary>
internal sealed class EnvoyErrorFilter(IOptionsMonitor<EnvoyServerOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return EnvoyProblem.BodyTooLarge(options.CurrentValue.MaxBodyBytes).ToResult();
        }
        catch (EnvoyException e) when (EnvoyProblemMapper.ToProblem(e) is { } problem)
        {
            return problem.ToResult();
        }
    }
}
