namespace Envoy.Testing;

/// <summary>What a scripted <see cref="FakeLlmResponse"/> makes the server do.</summary>
public enum FakeLlmResponseKind
{
    /// <summary>A chat completion (text and/or tool calls); streamed as server-sent events when the request asks for a stream.</summary>
    Completion,

    /// <summary>An HTTP error with an OpenAI error body.</summary>
    Error,

    /// <summary>A 200 answer whose body is the given text as it is (for example malformed JSON).</summary>
    RawBody,

    /// <summary>No answer until the client gives up or <see cref="FakeLlmServer.ReleaseHangingRequests"/> is called (for timeout tests).</summary>
    Hang,
}
