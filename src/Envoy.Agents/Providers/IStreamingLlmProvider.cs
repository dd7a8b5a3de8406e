namespace Envoy;

/// <summary>A provider that can also stream a reply as it is generated.</summary>
public interface IStreamingLlmProvider : ILlmProvider
{
    /// <summary>
    /// Streams the reply to <paramref name="messages"/>. Transient failures before the first piece are retried like
    /// <see cref="ILlmProvider.GenerateAsync"/>; a failure after it ends the stream with an <see cref="LlmException"/>.
    /// </summary>
    IAsyncEnumerable<LlmStreamUpdate> GenerateStreamingAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default);
}
