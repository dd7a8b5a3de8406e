using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Envoy;

/// <summary>Calls a delegate-backed tool: JSON arguments in, the context bound to its <see cref="StateContext"/> parameter.</summary>
internal static class DelegateInvoker
{
    public static async Task<object?> InvokeAsync(AIFunction function, JsonObject arguments, StateContext context, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in arguments)
        {
            values[key] = value is null ? null : JsonSerializer.SerializeToElement(value);
        }

        var args = new AIFunctionArguments(values) { Context = new Dictionary<object, object?> { [typeof(StateContext)] = context } };
        try
        {
            return await function.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
