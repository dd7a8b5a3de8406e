using System.Globalization;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The names of the scopes of <see cref="Storage.IRateLimitStore"/>: every scope the runtime and the agents use is built here,
/// so that two kinds of limit never share one by accident.
/// </summary>
internal static class RateLimitScope
{
    /// <summary>
    /// The step-start limit of <paramref name="flow"/> (<see cref="FlowOptions.RateLimit"/>), per <paramref name="concurrencyKey"/>
    /// when the job has one. The flow's length prefixes it, so no flow and key pair can spell another's scope.
    /// </summary>
    public static string Of(string flow, string? concurrencyKey) =>
        concurrencyKey is null
            ? string.Create(CultureInfo.InvariantCulture, $"flow:{flow.Length}:{flow}")
            : string.Create(CultureInfo.InvariantCulture, $"flow:{flow.Length}:{flow}:key:{concurrencyKey}");
}
