using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly.Timeout;

namespace Envoy;

/// <summary>
/// An <see cref="ILlmProvider"/> over any Microsoft.Extensions.AI <see cref="IChatClient"/> (OpenAI, Azure OpenAI, Ollama,
/// or a client with its own middleware), adding Envoy's modes, error types and retries with backoff.
/// </summary>
public sealed class ChatClientProvider : IStreamingLlmProvider
{
    private readonly Func<LlmConfig, IChatClient> _clientFor;
    private readonly LlmResilience _resilience;

    /// <summary>Wraps <paramref name="client"/>; the caller keeps owning it.</summary>
    /// <param name="client">The chat client.</param>
    /// <param name="config">Default settings for every call (the model, mode, retries...); <see cref="LlmConfig.ApiKey"/> and <see cref="LlmConfig.BaseUrl"/> are the client's business.</param>
    /// <param name="timeProvider">The clock for retry delays and timeouts; default <see cref="TimeProvider.System"/>.</param>
    public ChatClientProvider(IChatClient client, LlmConfig? config = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        (config ??= new LlmConfig()).Validate();
        _clientFor = _ => client;
        _resilience = new LlmResilience(timeProvider ?? TimeProvider.System);
        Config = config;
    }

    internal ChatClientProvider(Func<LlmConfig, IChatClient> clientFor, LlmConfig config, TimeProvider timeProvider)
    {
        _clientFor = clientFor;
        _resilience = new LlmResilience(timeProvider);
        Config = config;
    }

    /// <summary>The default settings of every call.</summary>
    public LlmConfig Config { get; }

    /// <inheritdoc />
    public async Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var effective = Config.Merge(config);
        effective.Validate();
        var call = new Call(_clientFor(effective), ChatMapping.ToChatMessages(messages), ChatMapping.ToChatOptions(effective));
        var model = effective.Model ?? LlmConfig.DefaultModel;
        await call.EnterGateAsync(model, cancellationToken).ConfigureAwait(false);
        using var activity = LlmTelemetry.StartChat(ProviderOf(call.Client), model);
        ChatResponse response;
        try
        {
            response = await _resilience.For(effective).ExecuteAsync(
                static async (call, token) =>
                {
                    await call.BeforeAttemptAsync(token).ConfigureAwait(false);
                    try
                    {
                        return await call.Client.GetResponseAsync(call.Messages, call.Options, token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (LlmErrors.TryTranslate(ex, token, out var translated))
                    {
                        await call.OnErrorAsync(translated, token).ConfigureAwait(false);
                        if (ReferenceEquals(ex, translated))
                        {
                            throw;
                        }

                        throw translated;
                    }
                },
                call,
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            var timeout = LlmErrors.Timeout(effective.Timeout ?? LlmConfig.DefaultTimeout, call.Attempts, ex);
            LlmTelemetry.Fail(activity, timeout);
            throw timeout;
        }
        catch (Exception ex) when (activity is not null)
        {
            LlmTelemetry.Fail(activity, ex);
            throw;
        }

        var mapped = ChatMapping.ToResponse(response, effective.Mode ?? LlmMode.Text);
        await call.RecordAsync(mapped.Usage, cancellationToken).ConfigureAwait(false);
        LlmTelemetry.Record(activity, model, mapped.Model, mapped.Usage, mapped.FinishReason);
        return mapped;
    }

    /// <summary>The provider's name for the GenAI attributes (<c>openai</c>, ...), as the chat client describes itself.</summary>
    private static string? ProviderOf(IChatClient client) =>
        LlmTelemetry.Source.HasListeners() ? client.GetService<ChatClientMetadata>()?.ProviderName : null;

    /// <inheritdoc />
    /// <remarks>
    /// The whole stream is one <c>chat {model}</c> span, as a plain call is; its usage is the one the stream reports (OpenAI sends
    /// it in a last chunk when asked with <c>stream_options.include_usage</c>, which the OpenAI client does), recorded on the
    /// span and on <c>envoy.llm.tokens</c> when the stream ends. A stream the caller stops reading early ends its span without.
    /// </remarks>
    public async IAsyncEnumerable<LlmStreamUpdate> GenerateStreamingAsync(
        IReadOnlyList<LlmMessage> messages,
        LlmConfig? config = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var effective = Config.Merge(config);
        effective.Validate();
        var call = new Call(_clientFor(effective), ChatMapping.ToChatMessages(messages), ChatMapping.ToChatOptions(effective));
        var timeout = effective.Timeout ?? LlmConfig.DefaultTimeout;
        var model = effective.Model ?? LlmConfig.DefaultModel;
        await call.EnterGateAsync(model, cancellationToken).ConfigureAwait(false); // a shared pause or token cap, outside the span
        using var activity = LlmTelemetry.StartChat(ProviderOf(call.Client), model);
        var seen = activity is null && !LlmTelemetry.Tokens.Enabled ? null : new StreamTotals();

        // The stream outlives the pipeline call, so the attempt timeout (time to the first piece) is a timer of our own.
        IAsyncEnumerator<ChatResponseUpdate> stream;
        LlmStreamUpdate? first;
        try
        {
            (stream, first) = await _resilience.For(effective, withTimeout: false).ExecuteAsync(
                static async (state, token) => await state.Provider.OpenStreamAsync(state.Call, state.Timeout, token).ConfigureAwait(false),
                (Provider: this, Call: call, Timeout: timeout),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            LlmTelemetry.Fail(activity, ex);
            throw;
        }

        await using (stream.ConfigureAwait(false))
        {
            if (first is null)
            {
                seen?.Record(activity, model);
                yield break;
            }

            seen?.Add(first, stream.Current.ModelId);
            yield return first;
            while (true)
            {
                LlmStreamUpdate next;
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        seen?.Record(activity, model);
                        yield break;
                    }

                    next = ChatMapping.ToUpdate(stream.Current);
                    await call.RecordAsync(next.Usage, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (LlmErrors.TryTranslate(ex, cancellationToken, out var translated) && !ReferenceEquals(ex, translated))
                {
                    LlmTelemetry.Fail(activity, translated);
                    throw translated;
                }
                catch (Exception ex) when (activity is not null)
                {
                    LlmTelemetry.Fail(activity, ex);
                    throw;
                }

                seen?.Add(next, stream.Current.ModelId);
                yield return next;
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The attempt's token source is owned by the returned enumerator, or disposed on failure.")]
    private async Task<(IAsyncEnumerator<ChatResponseUpdate> Stream, LlmStreamUpdate? First)> OpenStreamAsync(Call call, TimeSpan timeout, CancellationToken token)
    {
        await call.BeforeAttemptAsync(token).ConfigureAwait(false);
        var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
        var stream = call.Client.GetStreamingResponseAsync(call.Messages, call.Options, attempt.Token).GetAsyncEnumerator(attempt.Token);
        var timer = timeout == Timeout.InfiniteTimeSpan ? null : _resilience.TimeProvider.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), attempt, timeout, Timeout.InfiniteTimeSpan);
        try
        {
            var hasFirst = await stream.MoveNextAsync().ConfigureAwait(false);
            return (new OwningEnumerator(stream, attempt), hasFirst ? ChatMapping.ToUpdate(stream.Current) : null);
        }
        catch (Exception ex)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            attempt.Dispose();
            if (ex is OperationCanceledException && !token.IsCancellationRequested)
            {
                throw LlmErrors.Timeout(timeout, call.Attempts, ex);
            }

            if (LlmErrors.TryTranslate(ex, token, out var translated))
            {
                await call.OnErrorAsync(translated, token).ConfigureAwait(false);
                if (!ReferenceEquals(ex, translated))
                {
                    throw translated;
                }
            }

            throw;
        }
        finally
        {
            if (timer is not null)
            {
                await timer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What a stream reported so far, for its span and the token counter (kept only while someone listens).</summary>
    private sealed class StreamTotals
    {
        private LlmUsage? _usage;
        private string? _model;
        private string? _finishReason;

        public void Add(LlmStreamUpdate update, string? model)
        {
            if (update.Usage is { } usage)
            {
                _usage = _usage is null ? usage : _usage + usage;
            }

            _model = model ?? _model;
            _finishReason = update.FinishReason ?? _finishReason;
        }

        public void Record(System.Diagnostics.Activity? activity, string model) => LlmTelemetry.Record(activity, model, _model, _usage, _finishReason);
    }

    private sealed class Call(IChatClient client, List<ChatMessage> messages, ChatOptions options)
    {
        public IChatClient Client { get; } = client;

        public List<ChatMessage> Messages { get; } = messages;

        public ChatOptions Options { get; } = options;

        public int Attempts { get; set; }

        /// <summary>The shared throttle of this call (<see cref="LlmCallGate"/>), when the step has one.</summary>
        private LlmCallGate? Gate { get; set; }

        private string GateKey { get; set; } = string.Empty;

        /// <summary>Takes the current gate, if any, and waits for the model's pause and token cap before the first attempt.</summary>
        public async Task EnterGateAsync(string model, CancellationToken token)
        {
            if (LlmCallGate.Current is { } gate)
            {
                Gate = gate;
                GateKey = LlmCallGate.KeyOf(Client, model);
                await gate.WaitAsync(GateKey, token).ConfigureAwait(false);
            }
        }

        /// <summary>Counts the attempt; a retry first waits out a pause another worker may have set meanwhile.</summary>
        public async Task BeforeAttemptAsync(CancellationToken token)
        {
            Attempts++;
            if (Attempts > 1 && Gate is { } gate)
            {
                await gate.WaitAsync(GateKey, token).ConfigureAwait(false);
            }
        }

        /// <summary>A <c>429</c> with <c>Retry-After</c> pauses every worker's calls to this model.</summary>
        public Task OnErrorAsync(LlmException error, CancellationToken token) => Gate?.OnErrorAsync(GateKey, error, token) ?? Task.CompletedTask;

        /// <summary>Records the tokens used against the model's cap.</summary>
        public Task RecordAsync(LlmUsage? usage, CancellationToken token) => Gate?.RecordAsync(GateKey, usage, token) ?? Task.CompletedTask;
    }

    /// <summary>A stream that also disposes the token source its attempt was started with.</summary>
    private sealed class OwningEnumerator(IAsyncEnumerator<ChatResponseUpdate> inner, CancellationTokenSource attempt) : IAsyncEnumerator<ChatResponseUpdate>
    {
        public ChatResponseUpdate Current => inner.Current;

        public ValueTask<bool> MoveNextAsync() => inner.MoveNextAsync();

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            attempt.Dispose();
        }
    }
}
