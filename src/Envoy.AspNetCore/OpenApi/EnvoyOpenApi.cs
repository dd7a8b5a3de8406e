using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Envoy.AspNetCore.OpenApi;

/// <summary>
/// Envoy's OpenAPI document (<c>Microsoft.AspNetCore.OpenApi</c>): a named document, <see cref="DocumentName"/>, holding
/// every route <c>MapEnvoy</c> maps (they carry the group name <see cref="DocumentName"/>; the host app's own documents leave
/// them out), served at <c>{prefix}/api/openapi.json</c> to any caller of the API. Routes added to the API group later appear
/// by themselves, from their endpoint metadata. <c>{prefix}/api/docs</c> is a reference page drawn from it.
/// </summary>
public static class EnvoyOpenApi
{
    /// <summary>The document's name, and the OpenAPI group name of Envoy's routes.</summary>
    public const string DocumentName = "envoy";

    /// <summary>Registers the document and its transformers.</summary>
    internal static void Register(IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => string.Equals(description.GroupName, DocumentName, StringComparison.Ordinal);
            options.AddDocumentTransformer<EnvoyOpenApiTransformer>();
            options.AddOperationTransformer<EnvoyOpenApiTransformer>();
        });

    /// <summary>Maps <c>GET /openapi.json</c> on the API group.</summary>
    internal static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/openapi.json", GetAsync).WithTags("OpenAPI").WithName("GetOpenApiDocument")
            .WithSummary("This OpenAPI document: every route of Envoy's API, with full paths.");
        ApiReferencePage.Map(api);
    }

    private static async Task<ContentHttpResult> GetAsync(HttpContext http, CancellationToken cancellationToken) =>
        TypedResults.Text(await DocumentJsonAsync(http.RequestServices, cancellationToken).ConfigureAwait(false), "application/json", System.Text.Encoding.UTF8);

    /// <summary>The document as OpenAPI 3.1 JSON text.</summary>
    internal static async Task<string> DocumentJsonAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken).ConfigureAwait(false);
        return await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The problem codes an API route may answer with each status, for the document's response descriptions.</summary>
    internal static IReadOnlyDictionary<string, string> ProblemDescriptions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["400"] = $"Problem details: {EnvoyProblemCodes.InvalidBody} (the detail names the field), {EnvoyProblemCodes.InvalidQuery} (the detail names the parameter), {EnvoyProblemCodes.FlowNotFound} (scheduling an unknown flow).",
        ["401"] = $"Problem details: {EnvoyProblemCodes.Unauthorized} (no caller, or an unknown key; send 'Authorization: Bearer <key>').",
        ["403"] = $"Problem details: {EnvoyProblemCodes.Forbidden} (the caller's role, or user, may not do this).",
        ["404"] = $"Problem details: {EnvoyProblemCodes.JobNotFound}, {EnvoyProblemCodes.WaitNotFound}, {EnvoyProblemCodes.EscalationNotFound} or {EnvoyProblemCodes.FlowNotFound} (the detail names the id).",
        ["409"] = $"Problem details: {EnvoyProblemCodes.JobTerminal}, {EnvoyProblemCodes.JobNotFailed}, {EnvoyProblemCodes.WaitAlreadyResolved} or {EnvoyProblemCodes.EscalationAlreadyAnswered}.",
        ["413"] = $"Problem details: {EnvoyProblemCodes.BodyTooLarge} (above Envoy:Server:MaxBodyBytes).",
        ["503"] = $"Problem details: {EnvoyProblemCodes.StoreUnavailable} (the store did not answer within Envoy:Server:RequestTimeout).",
    };
}
