using System.Collections.Concurrent;
using System.Globalization;
using Envoy.Testing;
using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.Agents.Tests;

/// <summary>
/// The LLM throttles shared over every process on a store (issue 18), with real worker processes (<see cref="LlmLimitsWorker"/>:
/// this assembly started as <c>--llm-limits-worker</c>, each its own scheduler on one store) calling the fake LLM server of the
/// test process; run on a SQLite file and on PostgreSQL (the subclasses). Each worker runs only its own flow, so the test
/// decides which process runs a job; each request names its sender (the agent's system prompt holds the worker's process
/// id), and each answer too, so a job's output says which process ran it. The clock is the machine's (a fake clock cannot
/// cross processes): the rules are checked in the direction load cannot break (a call comes no earlier than the limit
/// allows), and every run also checks that its jobs met the limit (they started while it held), so that it cannot pass
/// without having tested anything. Every worker is killed by its PID when the test ends, passed or failed (and exits by
/// itself if the test host dies: its standard input closes).
/// </summary>
[Collection(WorkerProcessTests.Name)]
public abstract class SharedLlmLimitsProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Starting a .NET process on the loaded 2-core test machine takes seconds: generous, as only a hang should hit it.
    private static readonly TimeSpan ProcessPatience = TimeSpan.FromSeconds(90);

    private const string WarmUp = "warm up";

    private readonly List<DotnetWorkerProcess> _workers = [];
    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private Scheduler? _reader;
    private string _store = string.Empty;

    /// <summary>A temporary folder of the test (the SQLite file's).</summary>
    protected DirectoryInfo TempFolder { get; } = Directory.CreateTempSubdirectory("envoy-llm-procs-");

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose(); // SIGKILL by PID, if still running, and waits for it
        }

        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            TempFolder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    [Fact]
    public async Task ProviderTooManyRequests_WithRetryAfter_PausesThatModelsCallsInEveryWorkerProcess()
    {
        // 3 s: the other processes take their jobs within about 0.6 s of the 429 on the loaded test machine, well inside the pause.
        var retryAfter = TimeSpan.FromSeconds(3);
        var refusedNumber = 0;
        await using var server = await FakeLlmServer.StartAsync();
        server.Responder = request =>
        {
            Record(request);
            return request.LastMessageText("user") == "first" && Interlocked.CompareExchange(ref refusedNumber, request.Number, 0) == 0
                ? FakeLlmResponse.Error(429, "rate_limit_exceeded", "rate_limit_exceeded", "Slow down.", retryAfter)
                : FakeLlmResponse.Text(Answer(request));
        };
        var reader = await ReaderAsync(server.BaseUrl, workers: 3);
        var pids = await StartWorkersAsync(server.BaseUrl, count: 3);

        await WarmUpAsync(reader, pids);

        // Worker 0's first model call is refused: its step fails and goes back to pending (due at once), after the worker wrote
        // the pause; worker 0 runs it again, and has to wait the pause out.
        var first = await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(0), "first");
        await WaitUntilAsync(async () => (await reader.GetJobAsync(first)).TotalRetries > 0, "the first job's step failed on the 429");
        var failedSeenAt = TimeProvider.System.GetUtcNow();

        // Then a job for each other process (each runs one job at a time): none of them may call before the pause ends.
        var others = new List<string>();
        for (var i = 1; i < pids.Length; i++)
        {
            others.Add(await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(i), "after the 429, on worker " + i.ToString(CultureInfo.InvariantCulture)));
        }

        var firstJob = await reader.WaitForJobAsync(first, ProcessPatience);
        var otherJobs = new List<Job>();
        foreach (var id in others)
        {
            otherJobs.Add(await reader.WaitForJobAsync(id, ProcessPatience));
        }

        Assert.All(otherJobs.Prepend(firstJob), job => Assert.Equal(JobStatus.Done, job.Status));
        Assert.Equal(pids.Select(Answer), otherJobs.Prepend(firstJob).Select(job => job.Context.Output<string>())); // each in its own process

        var refused = _arrivals.Single(a => a.Number == refusedNumber);
        var pauseEnd = refused.At + retryAfter;
        Assert.Equal(pids[0], refused.Sender);
        var later = _arrivals.Where(a => a.Number > refused.Number).OrderBy(a => a.Number).ToList();
        Assert.Equal(pids.Order(), later.Select(a => a.Sender).Order()); // one call from each process
        Assert.All(later, a => Assert.True(a.At >= pauseEnd, $"Request {a.Number} (worker process {a.Sender}) came {a.At - refused.At} after the 429 with Retry-After {retryAfter}."));

        // The rule was put to the test: every process had its job due while the pause held (worker 0 its retry, the others their
        // new job, taken at once), so each of them met the pause and had to wait it out; otherwise this run proves nothing.
        output.WriteLine($"429 at {refused.At:O}; retry due {failedSeenAt - refused.At} after it; other jobs started {string.Join(", ", otherJobs.Select(j => j.StartedAt - refused.At))} after it; calls {string.Join(", ", later.Select(a => a.At - refused.At))} after it.");
        Assert.True(failedSeenAt < pauseEnd, $"The first job's retry was due {failedSeenAt - refused.At} after the 429, when the pause was over: the run proves nothing.");
        Assert.All(otherJobs, job => Assert.True(job.StartedAt < pauseEnd, $"Job {job.Id} started {job.StartedAt - refused.At} after the 429, when the pause was over: the run proves nothing."));
    }

    [Fact]
    public async Task TokensPerMinute_AnotherProcessesTokensAtTheCap_HoldTheCallUntilTheyLeaveTheWindow()
    {
        // A short window (internal, for this test only): a minute is long to wait, and no fake clock reaches another process.
        var window = TimeSpan.FromSeconds(15);
        await using var server = await FakeLlmServer.StartAsync();
        server.Responder = request => Record(request).Input == WarmUp
            ? FakeLlmResponse.Text(Answer(request)) with { InputTokens = 0, OutputTokens = 1 } // 1 token: the one taken before the call
            : FakeLlmResponse.Text(Answer(request)) with { InputTokens = 40, OutputTokens = 20 };
        var reader = await ReaderAsync(server.BaseUrl, workers: 2, tokensPerMinute: 100, window);
        var pids = await StartWorkersAsync(server.BaseUrl, count: 2, tokensPerMinute: 100, window);
        await WarmUpAsync(reader, pids);

        // 60 tokens by worker 0, then 60 by worker 1 (61 < 100: it calls at once): 122 in the window, over the cap.
        var one = await reader.WaitForJobAsync(await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(0), "one"), ProcessPatience);
        var two = await reader.WaitForJobAsync(await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(1), "two"), ProcessPatience);
        Assert.Equal([JobStatus.Done, JobStatus.Done], [one.Status, two.Status]);
        Assert.Equal(Answer(pids[0]), one.Context.Output<string>());
        Assert.Equal(Answer(pids[1]), two.Context.Output<string>());

        // Worker 1's own 61 tokens would leave room for its next call: only worker 0's hold it, until they leave the window.
        var third = await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(1), "three");
        await WaitUntilAsync(async () => (await reader.GetJobAsync(third)).Status == JobStatus.Running, "the third job runs");
        Assert.Equal(2, _arrivals.Count(a => a.Input != WarmUp)); // its call waits: it has not come

        var thirdJob = await reader.WaitForJobAsync(third, window + ProcessPatience);
        Assert.Equal(JobStatus.Done, thirdJob.Status);
        Assert.Equal(Answer(pids[1]), thirdJob.Context.Output<string>());
        var arrivals = _arrivals.Where(a => a.Input != WarmUp).OrderBy(a => a.Number).ToList();
        Assert.Equal([pids[0], pids[1], pids[1]], arrivals.Select(a => a.Sender));
        var tokensLeave = arrivals[0].At + window; // worker 0 recorded its tokens after its request came
        Assert.True(arrivals[2].At >= tokensLeave, $"The third call came {arrivals[2].At - arrivals[0].At} after the first, within its window of {window}.");

        // The rule was put to the test: the third job started while worker 0's tokens were in the window.
        output.WriteLine($"calls at {string.Join(", ", arrivals.Select(a => a.At - arrivals[0].At))}; the third job started {thirdJob.StartedAt - arrivals[0].At} after the first call.");
        Assert.True(thirdJob.StartedAt < tokensLeave, $"The third job started {thirdJob.StartedAt - arrivals[0].At} after the first call, when its tokens had left the window: the run proves nothing.");
    }

    /// <summary>A new, empty store for one test: the worker argument (see <see cref="LlmLimitsWorker.Config"/>).</summary>
    protected abstract Task<string> CreateStoreAsync();

    /// <summary>
    /// Runs a job in each worker process first: a cold process's first model call takes seconds on a loaded machine (loading and
    /// compiling the HTTP client), which would hold a call past a limit even if the process ignored it, or leave too little
    /// of a window to test it.
    /// </summary>
    private static async Task WarmUpAsync(Scheduler reader, int[] pids)
    {
        for (var i = 0; i < pids.Length; i++)
        {
            var job = await reader.WaitForJobAsync(await reader.ScheduleAsync(LlmLimitsWorker.FlowOf(i), WarmUp), ProcessPatience);
            Assert.Equal(Answer(pids[i]), job.Context.Output<string>());
        }
    }

    private static string Answer(FakeLlmRequest request) => Answer(LlmLimitsWorker.SenderOf(request));

    private static string Answer(int pid) => "ran by " + pid.ToString(CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var limit = new CancellationTokenSource(ProcessPatience);
        while (!await condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not seen within {ProcessPatience}: {what}.");
            }
        }
    }

    private Arrival Record(FakeLlmRequest request)
    {
        var arrival = new Arrival(request.Number, TimeProvider.System.GetUtcNow(), LlmLimitsWorker.SenderOf(request), request.LastMessageText("user"));
        _arrivals.Enqueue(arrival);
        return arrival;
    }

    /// <summary>A scheduler in the test process on the workers' file, to schedule and read jobs (never started: it runs nothing).</summary>
    private async Task<Scheduler> ReaderAsync(string baseUrl, int workers, int? tokensPerMinute = null, TimeSpan? window = null)
    {
        _reader = await Scheduler.InitAsync(LlmLimitsWorker.Config(_store)); // creates the schema before the workers open the store
        for (var i = 0; i < workers; i++)
        {
            _reader.AddFlow(LlmLimitsWorker.FlowOf(i), LlmLimitsWorker.Agent(baseUrl, 0, tokensPerMinute, window));
        }

        return _reader;
    }

    /// <summary>Starts the worker processes and waits until each works; returns their process ids, by index.</summary>
    private async Task<int[]> StartWorkersAsync(string baseUrl, int count, int? tokensPerMinute = null, TimeSpan? window = null)
    {
        for (var i = 0; i < count; i++)
        {
            _workers.Add(LlmLimitsWorker.Start(_store, baseUrl, i, tokensPerMinute, window));
        }

        using var limit = new CancellationTokenSource(ProcessPatience);
        foreach (var worker in _workers)
        {
            var ready = await worker.WaitForLineAsync("READY ", limit.Token);
            Assert.Equal(worker.Id, int.Parse(ready.AsSpan("READY ".Length), CultureInfo.InvariantCulture));
        }

        return [.. _workers.Select(w => w.Id)];
    }

    /// <summary>A request the fake server received: its number, when (the machine's clock), the process that sent it, the job's input.</summary>
    private sealed record Arrival(int Number, DateTimeOffset At, int Sender, string? Input);
}
