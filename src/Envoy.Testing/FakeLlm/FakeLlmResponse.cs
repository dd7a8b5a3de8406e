using System.Text.Json;

namespace Envoy.Testing;

/// <summary>One scripted answer of the <see cref="FakeLlmServer"/>. Build with the factories; set token counts with <c>with</c>.</summary>
public sealed record FakeLlmResponse
{
    /// <summary>What the server does.</summary>
    public FakeLlmResponseKind Kind { get; init; }

    /// <summary>The completion's text (or, for <see cref="FakeLlmResponseKind.RawBody"/>, the body).</summary>
    public string? Content { get; init; }

    /// <summary>The completion's tool calls.</summary>
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    /// <summary>The text pieces of a streamed completion; default: the content cut into small pieces.</summary>
    public IReadOnlyList<string>? Chunks { get; init; }

    /// <summary>The HTTP status of an error.</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>
    /// Called before each chunk of a streamed completion is written, with the chunk's index (0: the opening chunk with the role,
    /// then one per text piece, then tool calls and the end): a test can hold the stream there until it saw what the client
    /// made of the pieces so far. Null: the chunks are written at once.
    /// </summary>
    public Func<int, CancellationToken, Task>? BeforeChunk { get; init; }

    /// <summary>The error's <c>type</c>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The error's <c>code</c>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The error's <c>message</c>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Sent as a <c>Retry-After</c> header (whole seconds) with an error.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The reported prompt tokens; default: about one per four characters of the request's messages.</summary>
    public int? InputTokens { get; init; }

    /// <summary>The reported completion tokens; default: about one per four characters of the reply.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>A plain text completion.</summary>
    public static FakeLlmResponse Text(string content) => new() { Content = content ?? throw new ArgumentNullException(nameof(content)) };

    /// <summary>A completion whose text is <paramref name="value"/> as JSON (camelCase).</summary>
    public static FakeLlmResponse Json(object value) => Text(JsonSerializer.Serialize(value, JsonSerializerOptions.Web));

    /// <summary>A completion whose text is not valid JSON (for JSON mode).</summary>
    public static FakeLlmResponse InvalidJson(string content = "{\"answer\": 4,,") => Text(content);

    /// <summary>A completion that calls tools (finish reason <c>tool_calls</c>).</summary>
    public static FakeLlmResponse WithToolCalls(params FakeToolCall[] calls) => new() { ToolCalls = calls ?? throw new ArgumentNullException(nameof(calls)) };

    /// <summary>A completion streamed in exactly these pieces (also answered as one body to a request that does not stream).</summary>
    public static FakeLlmResponse Stream(params string[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return new() { Content = string.Concat(chunks), Chunks = chunks };
    }

    /// <summary>An HTTP error with an OpenAI error body.</summary>
    public static FakeLlmResponse Error(int statusCode, string type, string? code, string message, TimeSpan? retryAfter = null) =>
        new() { Kind = FakeLlmResponseKind.Error, StatusCode = statusCode, ErrorType = type, ErrorCode = code, ErrorMessage = message, RetryAfter = retryAfter };

    /// <summary>A 429 rate-limit error.</summary>
    public static FakeLlmResponse RateLimited(TimeSpan? retryAfter = null) =>
        Error(429, "rate_limit_error", "rate_limit_exceeded", "Rate limit reached for requests.", retryAfter);

    /// <summary>A 500 server error.</summary>
    public static FakeLlmResponse ServerError(string message = "The server had an error while processing your request.") =>
        Error(500, "server_error", null, message);

    /// <summary>A 200 answer with a body that is not a chat completion (malformed JSON).</summary>
    public static FakeLlmResponse MalformedBody(string body = "{\"id\": \"chatcmpl-broken\", \"choices\": [") =>
        new() { Kind = FakeLlmResponseKind.RawBody, Content = body };

    /// <summary>No answer until the client gives up (a timeout) or the hanging requests are released.</summary>
    public static FakeLlmResponse Hang() => new() { Kind = FakeLlmResponseKind.Hang };
}
