using System.Text;
using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>Small helpers for calling the API.</summary>
public static class Http
{
    /// <summary>POSTs <paramref name="json"/> (raw JSON text) to <paramref name="path"/>.</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>POSTs <paramref name="body"/> to <paramref name="path"/>.</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, JsonNode body) =>
        client.PostJsonAsync(path, body.ToJsonString());
}
