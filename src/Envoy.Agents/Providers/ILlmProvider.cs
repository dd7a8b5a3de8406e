namespace Envoy;

/// <summary>A chat model: sends a conversation and returns the reply, its tool calls, parsed data and token usage.</summary>
public interface ILlmProvider
{
    /// <summary>Sends <paramref name="messages"/> to the model.</summary>
    /// <param name="messages">The conversation so far.</param>
    /// <param name="config">Per-call settings; only the properties that are set override the provider's own.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="LlmException">The endpoint refused or failed the call (after retries for transient errors), or a JSON-mode reply was not JSON.</exception>
    Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default);
}
