using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace Envoy;

/// <summary>
/// The provider for OpenAI and every OpenAI-compatible chat-completions endpoint (Azure OpenAI's v1 API, Ollama, vLLM,
/// LM Studio...): point <see cref="LlmConfig.BaseUrl"/> at it. Built on the official <c>OpenAI</c> client through
/// Microsoft.Extensions.AI; the client's own retries are off, Envoy's (Polly, on the given <see cref="TimeProvider"/>) apply.
/// </summary>
public sealed class OpenAIProvider : IStreamingLlmProvider
{
    /// <summary>The key sent to endpoints that need none (a bearer token must not be empty).</summary>
    private const string NoKey = "no-key";

    private readonly ConcurrentDictionary<(string? BaseUrl, string? ApiKey, string Model), IChatClient> _clients = new();
    private readonly ChatClientProvider _inner;

    /// <summary>Creates the provider.</summary>
    /// <param name="config">The endpoint, key, model and defaults of every call.</param>
    /// <param name="timeProvider">The clock for retry delays and timeouts; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="LlmConfigException">The config is invalid, or it names OpenAI's own endpoint without an API key.</exception>
    public OpenAIProvider(LlmConfig config, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (config.BaseUrl is null && string.IsNullOrWhiteSpace(config.ApiKey))
        {
            throw new LlmConfigException(["ApiKey is required for OpenAI's own endpoint (set LlmConfig.ApiKey, or BaseUrl for a local OpenAI-compatible server)."]);
        }

        _inner = new ChatClientProvider(ClientFor, config, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The default settings of every call.</summary>
    public LlmConfig Config => _inner.Config;

    /// <inheritdoc />
    public Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default) =>
        _inner.GenerateAsync(messages, config, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<LlmStreamUpdate> GenerateStreamingAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default) =>
        _inner.GenerateStreamingAsync(messages, config, cancellationToken);

    private IChatClient ClientFor(LlmConfig config) =>
        _clients.GetOrAdd((config.BaseUrl, config.ApiKey, config.Model ?? LlmConfig.DefaultModel), static key =>
        {
            var options = new OpenAIClientOptions
            {
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            };
            if (key.BaseUrl is not null)
            {
                options.Endpoint = new Uri(key.BaseUrl, UriKind.Absolute);
            }

            var credential = new ApiKeyCredential(string.IsNullOrWhiteSpace(key.ApiKey) ? NoKey : key.ApiKey);
            return new ChatClient(key.Model, credential, options).AsIChatClient();
        });
}
