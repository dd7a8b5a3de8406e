namespace Envoy.AspNetCore.Json;

/// <summary>The answer of <c>/envoy/healthz</c>: <c>{ status: "healthy"|"unhealthy", checks: { store, redis? } }</c>.</summary>
/// <param name="Status"><c>healthy</c> when every check is, else <c>unhealthy</c>.</param>
/// <param name="Checks">Each check's status by name (<c>store</c>, and <c>redis</c> when Redis is configured).</param>
public sealed record HealthJson(string Status, IReadOnlyDictionary<string, string> Checks);
