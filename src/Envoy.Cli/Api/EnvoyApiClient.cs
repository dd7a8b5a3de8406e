using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Envoy.Cli.Config;

namespace Envoy.Cli.Api;

/// <summary>
/// The HTTP API as the CLI uses it: one <see cref="HttpClient"/> with the bearer key, every call bounded by
/// <see cref="RequestTimeout"/> (the event stream excepted), errors turned into <see cref="CliException"/>s with the
/// right exit code and the problem's <c>detail</c> as the message.
/// </summary>
internal sealed class EnvoyApiClient : IDisposable
{
    /// <summary>How long one request may take before the server counts as unreachable.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;

    /// <summary>Creates a client of the server in <paramref name="settings"/>.</summary>
    public EnvoyApiClient(CliSettings settings)
    {
        Settings = settings;
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("envoy-cli", typeof(EnvoyApiClient).Assembly.GetName().Version?.ToString() ?? "0"));
        if (!string.IsNullOrEmpty(settings.Key))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Key);
        }
    }

    /// <summary>The server and key.</summary>
    public CliSettings Settings { get; }

    /// <summary><c>GET {url}/api/{path}</c>.</summary>
    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary><c>POST {url}/api/{path}</c> with <paramref name="body"/> as JSON (or no body).</summary>
    public Task<ApiResponse> PostAsync<T>(string path, T body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, new StringContent(JsonSerializer.Serialize(body, type), Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary><c>PUT {url}/api/{path}</c> with <paramref name="body"/> as JSON.</summary>
    public Task<ApiResponse> PutAsync<T>(string path, T body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, new StringContent(JsonSerializer.Serialize(body, type), Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary><c>DELETE {url}/api/{path}</c>.</summary>
    public Task<ApiResponse> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary><c>POST {url}/api/{path}</c> without a body.</summary>
    public Task<ApiResponse> PostAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, null, cancellationToken);

    /// <summary>
    /// Opens <c>GET {url}/api/{path}</c> as a stream (the server-sent events), without a time limit on the body: returns once the
    /// headers arrived with a success status.
    /// </summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Settings.Api(path));
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            throw Unreachable(ex);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>Sends one request and reads the whole answer.</summary>
    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Settings.Api(path)) { Content = content };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new ApiResponse((int)response.StatusCode, body);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            throw Unreachable(ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>Whether <paramref name="ex"/> means the server could not be reached or did not answer in time (not a cancel by the user).</summary>
    public static bool IsUnreachable(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException { StatusCode: null } or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The error for a server that cannot be reached.</summary>
    public CliException Unreachable(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var reason = ex is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : Innermost(ex).Message;
        return new CliException(ExitCodes.Unreachable, $"Cannot reach the Envoy server at {Settings.BaseUrl.AbsoluteUri}: {reason}", ex);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static async Task<ApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = string.Empty;
        }

        ProblemView? problem = null;
        try
        {
            problem = body.Length > 0 ? JsonSerializer.Deserialize(body, CliJsonContext.Default.ProblemView) : null;
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page, say): the status line says enough.
        }

        var detail = problem?.Detail is { Length: > 0 } d
            ? d
            : $"{(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri?.GetLeftPart(UriPartial.Path)}";
        return new ApiException(response.StatusCode, detail, problem?.Code);
    }

    /// <summary>Escapes one path segment (an id from the command line).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
