namespace Envoy.AspNetCore.Json;

/// <summary>The answer of <c>GET /jobs</c>: one page of jobs, newest first.</summary>
/// <param name="Items">The jobs of the page.</param>
public sealed record JobListJson(IReadOnlyList<JobJson> Items);
