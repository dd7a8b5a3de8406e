using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Envoy.Testing;

public sealed partial class FakeLlmServer
{
    private async Task HandleAsync(HttpContext http)
    {
        var aborted = http.RequestAborted;
        if (!http.Request.Path.Value!.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            await WriteJsonAsync(http, 404, ChatCompletionJson.Error($"The fake LLM server only serves chat completions, not '{http.Request.Path}'.", "invalid_request_error", "unknown_url"), aborted).ConfigureAwait(false);
            return;
        }

        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: aborted).ConfigureAwait(false) as JsonObject
                ?? throw new JsonException("The body is not a JSON object.");
        }
        catch (JsonException ex)
        {
            await WriteJsonAsync(http, 400, ChatCompletionJson.Error("The request body is not valid JSON: " + ex.Message, "invalid_request_error", "invalid_json"), aborted).ConfigureAwait(false);
            return;
        }

        var (request, scripted) = Record(http.Request.Path.Value!, http.Request.Headers.Authorization.ToString(), body);
        var response = scripted ?? Responder?.Invoke(request);
        if (response is null)
        {
            var message = string.Create(CultureInfo.InvariantCulture, $"The fake LLM server has no scripted response left for request #{request.Number}.");
            await WriteJsonAsync(http, 400, ChatCompletionJson.Error(message, "invalid_request_error", "fake_script_exhausted"), aborted).ConfigureAwait(false);
            return;
        }

        switch (response.Kind)
        {
            case FakeLlmResponseKind.Error:
                if (response.RetryAfter is { } retryAfter)
                {
                    http.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                await WriteJsonAsync(http, response.StatusCode, ChatCompletionJson.Error(response), aborted).ConfigureAwait(false);
                break;
            case FakeLlmResponseKind.RawBody:
                http.Response.StatusCode = 200;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(response.Content ?? string.Empty, aborted).ConfigureAwait(false);
                break;
            case FakeLlmResponseKind.Hang:
                await HangAsync(http, aborted).ConfigureAwait(false);
                break;
            default:
                if (request.Stream)
                {
                    await StreamAsync(http, response, request, aborted).ConfigureAwait(false);
                }
                else
                {
                    await WriteJsonAsync(http, 200, ChatCompletionJson.Completion(response, request), aborted).ConfigureAwait(false);
                }

                break;
        }
    }

    private async Task HangAsync(HttpContext http, CancellationToken aborted)
    {
        try
        {
            await _release.Task.WaitAsync(aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client gave up (its timeout): nothing left to answer.
            return;
        }

        await WriteJsonAsync(http, 503, ChatCompletionJson.Error(FakeLlmResponse.Error(503, "server_error", "released", "The hanging request was released.")), aborted).ConfigureAwait(false);
    }

    private static async Task StreamAsync(HttpContext http, FakeLlmResponse response, FakeLlmRequest request, CancellationToken aborted)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var index = 0;
        foreach (var chunk in ChatCompletionJson.Chunks(response, request))
        {
            if (response.BeforeChunk is { } before)
            {
                await before(index, aborted).ConfigureAwait(false);
            }

            index++;
            await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", Encoding.UTF8, aborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", Encoding.UTF8, aborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext http, int status, JsonObject body, CancellationToken aborted)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8, aborted).ConfigureAwait(false);
    }
}
