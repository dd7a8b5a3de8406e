using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Envoy.Agents.Tests;

/// <summary>An <see cref="IChatClient"/> that answers each call with the next scripted function (which may throw).</summary>
internal sealed class ScriptedChatClient(params Func<ChatOptions?, ChatResponse>[] script) : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        return Task.FromResult(script[Math.Min(index, script.Length - 1)](options));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
