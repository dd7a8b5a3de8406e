using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Envoy.Testing;

/// <summary>
/// A local OpenAI-compatible chat-completions server on 127.0.0.1 (a free port) for tests without network. It answers
/// each request with the next scripted <see cref="FakeLlmResponse"/> (text, JSON, tool calls, a stream, errors, a hang),
/// or with <see cref="Responder"/> once the script is used up, and records every request. Point an
/// <see cref="OpenAIProvider"/> at <see cref="BaseUrl"/> (or use <see cref="Config"/>) so the real client and HTTP path run.
/// </summary>
public sealed partial class FakeLlmServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<FakeLlmResponse> _script = new();
    private readonly List<FakeLlmRequest> _requests = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    private FakeLlmServer()
    {
    }

    /// <summary>The server's root, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The OpenAI-style base address to put in <see cref="LlmConfig.BaseUrl"/>: <c>{Address}v1</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1056:URI-like properties should not be strings", Justification = "Matches LlmConfig.BaseUrl, which is text.")]
    public string BaseUrl => Address + "v1";

    /// <summary>Answers requests once the script is used up; without it they get a 400 error saying so.</summary>
    public Func<FakeLlmRequest, FakeLlmResponse>? Responder { get; set; }

    /// <summary>Every request received so far, in order (a snapshot).</summary>
    public IReadOnlyList<FakeLlmRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>How many scripted responses are left.</summary>
    public int PendingResponses
    {
        get
        {
            lock (_gate)
            {
                return _script.Count;
            }
        }
    }

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<FakeLlmServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new FakeLlmServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/{**path}", server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address.EndsWith('/') ? address : address + "/", UriKind.Absolute);
        return server;
    }

    /// <summary>Settings for a provider that talks to this server.</summary>
    public LlmConfig Config(string model = "fake-model") => new() { BaseUrl = BaseUrl, ApiKey = "test-key", Model = model };

    /// <summary>Appends responses to the script; returns this server.</summary>
    public FakeLlmServer Enqueue(params FakeLlmResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        lock (_gate)
        {
            foreach (var response in responses)
            {
                _script.Enqueue(response ?? throw new ArgumentException("A scripted response is null.", nameof(responses)));
            }
        }

        return this;
    }

    /// <summary>Completes when the server has received at least <paramref name="count"/> requests; returns the <paramref name="count"/>th.</summary>
    /// <exception cref="TimeoutException">Fewer requests arrived within <paramref name="timeout"/>.</exception>
    public async Task<FakeLlmRequest> WaitForRequestAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (_requests.Count >= count)
            {
                return _requests[count - 1];
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
        }

        try
        {
            await signal.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The fake LLM server received {Requests.Count} request(s) within {timeout}, not {count}.");
        }

        return Requests[count - 1];
    }

    /// <summary>Ends every request held by a <see cref="FakeLlmResponse.Hang"/> response (they get a 503).</summary>
    public void ReleaseHangingRequests() => _release.TrySetResult();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ReleaseHangingRequests();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private (FakeLlmRequest Request, FakeLlmResponse? Response) Record(string path, string? authorization, System.Text.Json.Nodes.JsonObject body)
    {
        lock (_gate)
        {
            var request = new FakeLlmRequest(_requests.Count + 1, path, authorization, body);
            _requests.Add(request);
            var response = _script.Count > 0 ? _script.Dequeue() : null;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_requests.Count >= _waiters[i].Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }

            return (request, response);
        }
    }
}
