using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Errors;

/// <summary>
/// Caps the request body at <see cref="EnvoyServerOptions.MaxBodyBytes"/>: a declared length above it is refused before anything
/// is read, and a body that grows past it while read fails the read (answered <c>413</c> by <see cref="EnvoyErrorFilter"/>).
/// </summary>
internal sealed class BodySizeLimitFilter(IOptionsMonitor<EnvoyServerOptions> options) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var limit = options.CurrentValue.MaxBodyBytes;
        var http = context.HttpContext;
        if (http.Request.ContentLength > limit)
        {
            return ValueTask.FromResult<object?>(EnvoyProblem.BodyTooLarge(limit).ToResult());
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
