using System.Net;
using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>Assertions on the API's answers.</summary>
public static class Problems
{
    /// <summary>Asserts a problem answer with this status and code and a non-empty detail; returns the problem.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(code, problem["code"]?.GetValue<string>());
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), "The problem has no detail: " + text);
        return problem;
    }

    /// <summary>Asserts a success status and returns the JSON body.</summary>
    public static async Task<JsonNode> AssertJsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}
