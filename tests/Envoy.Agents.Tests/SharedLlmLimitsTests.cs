using System.Collections.Concurrent;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

/// <summary>
/// The LLM throttles shared over every process on a store (issue 18), with the fake OpenAI-style server and several schedulers
/// on one SQLite file, each with its own store instance (as separate processes would be).
/// </summary>
public sealed class SharedLlmLimitsTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "envoy-llm-limits-" + Guid.NewGuid().ToString("N"));
    private readonly List<Scheduler> _schedulers = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var scheduler in _schedulers)
        {
            await scheduler.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    [Fact]
    public async Task ProviderTooManyRequests_WithRetryAfter_PausesEveryWorkersCallsToThatModel()
    {
        var arrivals = new ConcurrentQueue<(int Number, DateTimeOffset At)>();
        await using var server = await FakeLlmServer.StartAsync();
        server.Responder = request =>
        {
            arrivals.Enqueue((request.Number, TimeProvider.System.GetUtcNow()));
            return request.Number == 1
                ? FakeLlmResponse.Error(429, "rate_limit_exceeded", "rate_limit_exceeded", "Slow down.", TimeSpan.FromSeconds(2))
                : FakeLlmResponse.Text("ok");
        };
        var agent = new ToolAgent(TestSupport.Provider(server));
        var schedulers = new List<Scheduler>();
        for (var i = 0; i < 3; i++)
        {
            schedulers.Add(await StartAsync(s => s.AddFlow("agent", agent)));
        }

        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = schedulers[0].Events.Subscribe(new Observer(e =>
        {
            if (e is StepCompletedEvent { Status: JobStatus.Pending })
            {
                failed.TrySetResult(); // the first call's 429 failed its step (retried later): the pause is written
            }
        }));
        var first = await schedulers[0].ScheduleAsync("agent", "first");
        await failed.Task.WaitAsync(TestSupport.Patience);
        var others = await Task.WhenAll(schedulers.Skip(1).Select((s, i) => s.ScheduleAsync("agent", "other " + i)));

        foreach (var id in others.Prepend(first))
        {
            Assert.Equal(JobStatus.Done, (await schedulers[0].WaitForJobAsync(id, TestSupport.Patience)).Status);
        }

        var refusedAt = arrivals.Single(a => a.Number == 1).At;
        var later = arrivals.Where(a => a.Number > 1).ToList();
        Assert.Equal(3, later.Count);
        Assert.All(later, a => Assert.True(a.At >= refusedAt + TimeSpan.FromSeconds(2), $"request {a.Number} came {a.At - refusedAt} after the 429"));
    }

    [Fact]
    public async Task TokensPerMinute_AtTheCap_NextCallWaitsUntilTheTokensLeaveTheMinute_OverSchedulers()
    {
        var clock = new TimerWatchingTimeProvider();
        clock.SetUtcNow(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await FakeLlmServer.StartAsync();
        server.Responder = _ => FakeLlmResponse.Text("ok") with { InputTokens = 40, OutputTokens = 20 };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { TokensPerMinute = 100 });
        var first = await StartAsync(s => s.AddFlow("agent", agent), clock);
        var second = await StartAsync(s => s.AddFlow("agent", agent), clock);

        // 60 + 60 tokens: the second call starts below the cap (60 < 100), the third finds 120 and waits.
        Assert.Equal(JobStatus.Done, (await first.WaitForJobAsync(await first.ScheduleAsync("agent", "one"), TestSupport.Patience)).Status);
        Assert.Equal(JobStatus.Done, (await second.WaitForJobAsync(await second.ScheduleAsync("agent", "two"), TestSupport.Patience)).Status);
        var third = await first.ScheduleAsync("agent", "three");
        var wait = await clock.WaitForTimerAsync(t => t > TimeSpan.FromSeconds(50) && t <= TimeSpan.FromMinutes(1), TestSupport.Patience);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(JobStatus.Running, (await first.GetJobAsync(third)).Status);

        clock.Advance(wait);
        Assert.Equal(JobStatus.Done, (await first.WaitForJobAsync(third, TestSupport.Patience)).Status);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public void TokensPerMinute_BelowOne_IsRefused()
    {
        using var client = new ScriptedChatClient();
        var error = Assert.Throws<StateFlowValidationException>(() => new ToolAgent(new ChatClientProvider(client), new AgentOptions { TokensPerMinute = 0 }));
        Assert.Contains("TokensPerMinute must be at least 1", error.Message, StringComparison.Ordinal);
    }

    // Leases outlast every clock advance of the fake-clock tests: advancing the clock past a lease at once (no renewal can run
    // in between) would let the other scheduler take a running job over and call the model again.
    private async Task<Scheduler> StartAsync(Action<Scheduler> flows, TimeProvider? time = null)
    {
        var scheduler = await Scheduler.InitAsync(
            new SchedulerConfig { Sqlite = new SqliteConfig { Path = Path.Combine(_directory, "envoy.db"), FullSync = false }, Concurrency = 2, LeaseDuration = TimeSpan.FromMinutes(10), RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(200) },
            time,
            null);
        _schedulers.Add(scheduler);
        flows(scheduler);
        await scheduler.StartAsync();
        return scheduler;
    }

    private sealed class Observer(Action<SchedulerEvent> next) : IObserver<SchedulerEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SchedulerEvent value) => next(value);
    }
}
