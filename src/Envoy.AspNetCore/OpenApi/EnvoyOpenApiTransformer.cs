using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Envoy.AspNetCore.OpenApi;

/// <summary>
/// Shapes Envoy's document: its title and description, paths written in full (<c>/envoy/api/jobs</c>, whatever base path the
/// host serves under), and each problem response described with the <c>code</c>s it may carry.
/// </summary>
internal sealed class EnvoyOpenApiTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "Envoy API";
        document.Info.Version = typeof(EnvoyOpenApi).Assembly.GetName().Version?.ToString() ?? "1.0";
        document.Info.Description =
            "Envoy's HTTP API: flows, jobs, escalations, stats, live events and health. Every route under /api needs a caller: "
            + "'Authorization: Bearer <key>' (roles viewer, operator, admin). Errors are RFC 7807 problem details "
            + "(application/problem+json) with status, title, a detail naming the offending id or field, and a stable 'code'.";

        // Paths are the full route patterns; a server entry with a base path would make clients prefix them twice.
        document.Servers?.Clear();
        if (document.Paths is { } paths)
        {
            foreach (var key in paths.Keys.Where(k => !k.StartsWith('/')).ToList())
            {
                var item = paths[key];
                paths.Remove(key);
                paths["/" + key] = item;
            }
        }

        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse described && EnvoyOpenApi.ProblemDescriptions.TryGetValue(status, out var text))
            {
                described.Description = text;
            }
        }

        return Task.CompletedTask;
    }
}
