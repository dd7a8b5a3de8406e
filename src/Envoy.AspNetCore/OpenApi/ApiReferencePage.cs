using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Envoy.AspNetCore.OpenApi;

/// <summary>
/// <c>GET {prefix}/api/docs</c>: a plain HTML reference of the API, drawn on the server from the OpenAPI document (each route
/// with its method, full path, summary and answers). No script, no external resource (it works offline), and a
/// Content-Security-Policy that allows neither.
/// </summary>
internal static class ApiReferencePage
{
    private const string Policy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/docs", RenderAsync).WithTags("OpenAPI").WithName("GetApiReference")
            .WithSummary("A plain HTML reference of the API, drawn from the OpenAPI document (no script, works offline).")
            .Produces<string>(StatusCodes.Status200OK, "text/html");

    private static async Task<ContentHttpResult> RenderAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var json = await EnvoyOpenApi.DocumentJsonAsync(http.RequestServices, cancellationToken).ConfigureAwait(false);
        http.Response.Headers[HeaderNames.ContentSecurityPolicy] = Policy;
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.Text(Render(JsonNode.Parse(json)!.AsObject()), "text/html", Encoding.UTF8);
    }

    internal static string Render(JsonObject document)
    {
        var html = new StringBuilder();
        var title = Text(document["info"]?["title"]) ?? "API";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(title)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}")
            .Append("td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}code{white-space:nowrap}</style></head><body>\n")
            .Append("<h1>").Append(Encode(title)).Append("</h1>\n<p>").Append(Encode(Text(document["info"]?["description"]) ?? string.Empty))
            .Append("</p>\n<p>The machine-readable document: <a href=\"openapi.json\">openapi.json</a>.</p>\n")
            .Append("<table><thead><tr><th>Route</th><th>What it does</th><th>Answers</th></tr></thead><tbody>\n");
        foreach (var (path, item) in (document["paths"]?.AsObject() ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (method, operation) in item?.AsObject() ?? [])
            {
                if (operation is not JsonObject op || method is "parameters" or "summary" or "description" or "servers")
                {
                    continue;
                }

                html.Append("<tr><td><code>").Append(Encode(method.ToUpperInvariant())).Append(' ').Append(Encode(path)).Append("</code></td><td>")
                    .Append(Encode(Text(op["summary"]) ?? Text(op["description"]) ?? string.Empty)).Append("</td><td>");
                foreach (var (status, response) in op["responses"]?.AsObject() ?? [])
                {
                    html.Append("<b>").Append(Encode(status)).Append("</b> ").Append(Encode(Text(response?["description"]) ?? string.Empty)).Append("<br>");
                }

                html.Append("</td></tr>\n");
            }
        }

        return html.Append("</tbody></table>\n</body></html>\n").ToString();
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
