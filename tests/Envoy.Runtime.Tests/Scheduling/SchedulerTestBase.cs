using System.Diagnostics;
using Envoy.Testing;
using Microsoft.Data.Sqlite;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// What the scheduler tests share: schedulers on a SQLite file of the test's own (in a temp folder deleted afterwards),
/// disposed after the test, and waits on events or on conditions with a deadline (never a bare sleep).
/// </summary>
public abstract class SchedulerTestBase : IAsyncLifetime
{
    /// <summary>The longest any single wait in these tests may take before the test fails.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly List<Scheduler> _schedulers = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "envoy-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The SQLite file of this test.</summary>
    protected string DatabasePath => Path.Combine(_directory, "envoy.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        for (var i = _schedulers.Count - 1; i >= 0; i--)
        {
            await _schedulers[i].DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    /// <summary>
    /// A scheduler on this test's file with quick test settings (4 workers, 10–50 ms retry backoff, 200 ms safety poll),
    /// disposed after the test. Not started.
    /// </summary>
    protected async Task<Scheduler> NewSchedulerAsync(Action<SchedulerConfig>? configure = null, TimeProvider? time = null)
    {
        var config = new SchedulerConfig
        {
            Sqlite = new SqliteConfig { Path = DatabasePath, FullSync = false },
            Concurrency = 4,
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(config);
        var scheduler = await Scheduler.InitAsync(config, time, null);
        _schedulers.Add(scheduler);
        return scheduler;
    }

    /// <summary>As <see cref="NewSchedulerAsync"/>, registers <paramref name="flows"/> and starts it.</summary>
    protected async Task<Scheduler> StartSchedulerAsync(Action<Scheduler> flows, Action<SchedulerConfig>? configure = null, TimeProvider? time = null)
    {
        var scheduler = await NewSchedulerAsync(configure, time);
        flows(scheduler);
        await scheduler.StartAsync();
        return scheduler;
    }

    /// <summary>A fake clock that reports the timers armed on it, set to 2030-01-01 00:00 UTC.</summary>
    protected static TimerWatchingTimeProvider NewClock()
    {
        var time = new TimerWatchingTimeProvider();
        time.SetUtcNow(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return time;
    }

    /// <summary>
    /// Moves the fake clock forward only by timers the scheduler arms (those <paramref name="armed"/> accepts), each once it is
    /// armed, until <paramref name="done"/> completes: the clock never moves while the scheduler is between reading it and arming
    /// its timer, and nothing sleeps. Fails after <see cref="Timeout"/>.
    /// </summary>
    protected static async Task AdvanceArmedTimersUntilAsync(TimerWatchingTimeProvider time, Task done, Func<TimeSpan, bool> armed)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(done);
        var watch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
#pragma warning disable VSTHRD003 // The caller started this wait for its own event.
        while (!done.IsCompleted)
        {
            Assert.True(watch.Elapsed < Timeout, "Timed out moving the clock by the scheduler's timers.");
            var next = time.WaitForTimerAsync(armed, Timeout, stop.Token);
            if (await Task.WhenAny(done, next) != next)
            {
                await stop.CancelAsync();
                break;
            }

            time.Advance(await next);
        }

        await done;
#pragma warning restore VSTHRD003
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test after <see cref="Timeout"/> (for effects with no event).</summary>
    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? Timeout);
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting until " + because + ".");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits until the job is blocking and waits for <paramref name="waitId"/>; returns it.</summary>
    protected static async Task<Job> WaitForBlockingAsync(Scheduler scheduler, string jobId, string? waitId = null)
    {
        Job? job = null;
        await WaitUntilAsync(
            async () =>
            {
                job = await scheduler.GetJobAsync(jobId);
                return job.Status == JobStatus.Blocking && (waitId is null || job.Context.WaitingFor.Contains(waitId));
            },
            $"job {jobId} blocks" + (waitId is null ? string.Empty : " on " + waitId));
        return job!;
    }

    /// <summary>A one-state flow.</summary>
    protected static StateFlow OneState(Func<StateContext, Task<StateContext>> onState, StateFlowOptions? options = null) =>
        new([new State("Only") { OnState = onState }], options);

    /// <summary>A flow whose only state waits for the external wait <paramref name="waitId"/> and outputs what it received.</summary>
    protected static StateFlow WaitsFor(string waitId) => new(
    [
        new State("Wait")
        {
            OnEnter = async ctx => ctx.WaitFor(new WaitFor(waitId, "webhook")),
            OnState = async ctx => ctx.Output(ctx.GetWait(waitId)!.Output?.DeepClone()),
        },
    ]);
}
