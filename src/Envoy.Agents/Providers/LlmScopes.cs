namespace Envoy;

/// <summary>
/// The names of the agents' shared-limit scopes (<see cref="ISharedLimits"/>), all built here; the runtime's own (a flow's
/// <c>RateLimit</c>) start with <c>flow:</c>, so they never meet.
/// </summary>
internal static class LlmScopes
{
    /// <summary>The pause of a model's calls (after a <c>429</c>).</summary>
    public static string Calls(string key) => "llm:" + key;

    /// <summary>The tokens per minute of a model.</summary>
    public static string Tokens(string key) => "llm-tokens:" + key;
}
