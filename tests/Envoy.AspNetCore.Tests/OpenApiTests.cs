using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Envoy.AspNetCore.Tests;

/// <summary>
/// <c>GET /envoy/api/openapi.json</c>: the document of every route, with full paths. The document does not depend on the store,
/// so it runs on SQLite only.
/// </summary>
public sealed class OpenApiTests() : ApiTestBase(ApiStore.Sqlite())
{
    private async Task<JsonObject> DocumentAsync(HttpClient client) =>
        (await Problems.AssertJsonAsync(await client.GetAsync("envoy/api/openapi.json"))).AsObject();

    /// <summary>The routes of server.md's table that this branch maps (the jobs and events routes join them as they are mapped).</summary>
    [Theory]
    [InlineData("get", "/envoy/api/flows")]
    [InlineData("get", "/envoy/api/flows/{name}")]
    [InlineData("get", "/envoy/api/jobs/{id}")]
    [InlineData("get", "/envoy/api/escalations")]
    [InlineData("get", "/envoy/api/escalations/{id}")]
    [InlineData("post", "/envoy/api/escalations/{id}/reply")]
    [InlineData("get", "/envoy/api/stats")]
    [InlineData("get", "/envoy/healthz")]
    [InlineData("get", "/envoy/api/openapi.json")]
    [InlineData("get", "/envoy/api/docs")]
    public async Task The_document_lists_the_route_with_its_full_path(string method, string path)
    {
        var document = await DocumentAsync(Viewer);

        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject();
        Assert.True(paths.ContainsKey(path), $"{path} is not in the document: {string.Join(", ", paths.Select(p => p.Key))}");
        Assert.NotNull(paths[path]![method]);
    }

    [Fact]
    public async Task Every_route_the_app_maps_under_envoy_is_in_the_document()
    {
        var document = await DocumentAsync(Viewer);
        var paths = document["paths"]!.AsObject();
        var envoy = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/envoy", StringComparison.Ordinal) == true)
            .ToList();

        // The dashboard's HTML pages, forms and files are not API: none of them is in the document; every other route is.
        var dashboard = envoy.Where(e => e.Metadata.GetMetadata<Envoy.AspNetCore.Dashboard.DashboardPaths>() is not null).ToList();
        Assert.NotEmpty(dashboard);
        Assert.All(dashboard, e => Assert.False(paths.ContainsKey("/" + e.RoutePattern.RawText!.Trim('/')), $"{e.RoutePattern.RawText} (dashboard) is in the API document"));
        var mapped = envoy.Except(dashboard)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m.ToLowerInvariant(), Path: "/" + e.RoutePattern.RawText!.Trim('/'))))
            .ToList();

        Assert.NotEmpty(mapped);
        foreach (var (method, path) in mapped)
        {
            Assert.True(paths[path]?[method] is not null, $"{method} {path} is mapped but not in the document");
        }

        Assert.All(paths, p => Assert.StartsWith("/envoy/", p.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Problem_responses_are_described_with_their_codes()
    {
        var document = await DocumentAsync(Viewer);

        var reply = document["paths"]!["/envoy/api/escalations/{id}/reply"]!["post"]!["responses"]!.AsObject();
        Assert.Contains("escalation_not_found", reply["404"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("forbidden", reply["403"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("escalation_already_answered", reply["409"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("invalid_body", reply["400"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("unauthorized", reply["401"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(reply["403"]!["content"]!["application/problem+json"]);
    }

    [Fact]
    public async Task The_reference_page_lists_every_route_with_no_script_and_nothing_external()
    {
        using var response = await Viewer.GetAsync("envoy/api/docs");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var paths = (await DocumentAsync(Viewer))["paths"]!.AsObject();
        Assert.All(paths, p => Assert.Contains(System.Net.WebUtility.HtmlEncode(p.Key), html, StringComparison.Ordinal));
        Assert.Contains("POST /envoy/api/escalations/{id}/reply", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/docs"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Every_caller_may_read_it_but_not_an_anonymous_one()
    {
        foreach (var client in new[] { Viewer, Alice, Admin })
        {
            Assert.Equal("Envoy API", (await DocumentAsync(client))["info"]!["title"]!.GetValue<string>());
        }

        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/openapi.json"), HttpStatusCode.Unauthorized, "unauthorized");
    }
}
