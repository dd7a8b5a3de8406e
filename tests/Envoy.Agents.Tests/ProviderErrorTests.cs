using System.Net;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ProviderErrorTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RateLimited_ThenSuccess_IsRetriedAfterABackoffDelay()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.RateLimited(), FakeLlmResponse.Text("ok"));
        var time = new TimerWatchingTimeProvider();
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 3, Timeout = AttemptTimeout, RetryDelay = TimeSpan.FromSeconds(2) }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        var delay = await time.AdvanceToNextTimerAsync(d => d != AttemptTimeout, TestSupport.Patience);
        var response = await call.WaitAsync(TestSupport.Patience);

        Assert.Equal("ok", response.Text);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(delay > TimeSpan.Zero && delay <= LlmConfig.DefaultRetryMaxDelay, $"delay {delay}");
    }

    [Fact]
    public async Task RateLimited_WithRetryAfter_WaitsWhatTheServerAsked()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.RateLimited(TimeSpan.FromSeconds(7)), FakeLlmResponse.Text("ok"));
        var time = new TimerWatchingTimeProvider();
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 1, Timeout = AttemptTimeout }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        var delay = await time.AdvanceToNextTimerAsync(d => d != AttemptTimeout, TestSupport.Patience);
        var response = await call.WaitAsync(TestSupport.Patience);

        Assert.Equal(TimeSpan.FromSeconds(7), delay);
        Assert.Equal("ok", response.Text);
    }

    [Fact]
    public async Task ServerError_WithoutRetries_ThrowsLlmExceptionWithStatusTypeAndCode()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Error(500, "server_error", "boom_code", "The server broke."));
        var provider = TestSupport.Provider(server);

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal("server_error", error.Type);
        Assert.Equal("boom_code", error.Code);
        Assert.True(error.IsTransient);
        Assert.Contains("The server broke.", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ServerError_EveryAttempt_IsRetriedThenThrown()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.ServerError(), FakeLlmResponse.ServerError(), FakeLlmResponse.ServerError());
        var time = new TimerWatchingTimeProvider();
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 2, Timeout = AttemptTimeout }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        await time.AdvanceToNextTimerAsync(d => d != AttemptTimeout, TestSupport.Patience);
        await time.AdvanceToNextTimerAsync(d => d != AttemptTimeout, TestSupport.Patience);
        var error = await Assert.ThrowsAsync<LlmException>(() => call.WaitAsync(TestSupport.Patience));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task BadRequest_IsNotRetried()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "context_length_exceeded", "Too long."), FakeLlmResponse.Text("never"));
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 3 });

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal("context_length_exceeded", error.Code);
        Assert.False(error.IsTransient);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Unauthorized_CarriesTheEndpointsCode()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."));
        var provider = TestSupport.Provider(server);

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal(401, error.StatusCode);
        Assert.Equal("invalid_api_key", error.Code);
    }

    [Fact]
    public async Task Timeout_ThenSuccess_IsRetried()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Hang(), FakeLlmResponse.Text("second try"));
        var time = new TimerWatchingTimeProvider();
        var timeout = TimeSpan.FromSeconds(5);
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 1, Timeout = timeout }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        await server.WaitForRequestAsync(1, TestSupport.Patience);
        Assert.Equal(timeout, await time.AdvanceToNextTimerAsync(d => d == timeout, TestSupport.Patience));
        await time.AdvanceToNextTimerAsync(d => d != timeout, TestSupport.Patience);
        var response = await call.WaitAsync(TestSupport.Patience);

        Assert.Equal("second try", response.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Timeout_OnEveryAttempt_ThrowsTimeoutLlmException()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Hang());
        var time = new TimerWatchingTimeProvider();
        var timeout = TimeSpan.FromSeconds(5);
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 0, Timeout = timeout }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        await server.WaitForRequestAsync(1, TestSupport.Patience);
        await time.AdvanceToNextTimerAsync(d => d == timeout, TestSupport.Patience);
        var error = await Assert.ThrowsAsync<LlmException>(() => call.WaitAsync(TestSupport.Patience));

        Assert.Equal(LlmErrorTypes.Timeout, error.Type);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Cancellation_ByTheCaller_IsNotAnLlmError()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Hang());
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 2 });
        using var cts = new CancellationTokenSource();

        var call = provider.GenerateAsync([LlmMessage.User("hi")], cancellationToken: cts.Token);
        await server.WaitForRequestAsync(1, TestSupport.Patience);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TestSupport.Patience));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task MalformedResponseBody_ThrowsInvalidResponse()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.MalformedBody());
        var provider = TestSupport.Provider(server);

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal(LlmErrorTypes.InvalidResponse, error.Type);
    }

    [Fact]
    public async Task UnreachableEndpoint_ThrowsConnectionError()
    {
        int port;
        await using (var server = await FakeLlmServer.StartAsync())
        {
            port = server.Address.Port;
        }

        var provider = new OpenAIProvider(new LlmConfig { BaseUrl = $"http://127.0.0.1:{port}/v1", MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal(LlmErrorTypes.Connection, error.Type);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task ScriptExhausted_IsAClearError()
    {
        await using var server = await FakeLlmServer.StartAsync();
        var provider = TestSupport.Provider(server);

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("hi")]));

        Assert.Equal("fake_script_exhausted", error.Code);
        Assert.Contains("no scripted response left for request #1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatClientAdapter_RetriesTransientHttpErrorsOfAnyClient()
    {
        var client = new ScriptedChatClient(
            _ => throw new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable),
            options => new Microsoft.Extensions.AI.ChatResponse(new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.Assistant, "from " + options?.ModelId)));
        var time = new TimerWatchingTimeProvider();
        var provider = new ChatClientProvider(client, new LlmConfig { Model = "local-model", MaxRetries = 2, Timeout = AttemptTimeout }, time);

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        await time.AdvanceToNextTimerAsync(d => d != AttemptTimeout, TestSupport.Patience);
        var response = await call.WaitAsync(TestSupport.Patience);

        Assert.Equal("from local-model", response.Text);
        Assert.Equal(2, client.Calls);
    }

    [Fact]
    public async Task ChatClientAdapter_OverTheOpenAIClient_TalksToTheFakeServer()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("adapted"));
        var openAi = new OpenAI.Chat.ChatClient("adapter-model", new System.ClientModel.ApiKeyCredential("k"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.BaseUrl) });
        var provider = new ChatClientProvider(Microsoft.Extensions.AI.OpenAIClientExtensions.AsIChatClient(openAi));

        var response = await provider.GenerateAsync([LlmMessage.User("hi")]);

        Assert.Equal("adapted", response.Text);
        Assert.Equal("adapter-model", server.Requests[0].Model);
    }
}
