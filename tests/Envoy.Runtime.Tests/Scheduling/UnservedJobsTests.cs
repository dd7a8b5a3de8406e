using Envoy.Runtime.Execution;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// Jobs of a flow, or flow version, that no live worker on the store serves never run: every process lists them alike (the
/// store's registry of live workers), and the maintenance leader warns.
/// </summary>
public sealed class UnservedJobsTests : SchedulerTestBase
{
    [Fact]
    public async Task ListUnservedJobs_ListsPendingJobsOfFlowsNoLiveWorkerServes_TheSameInEveryProcess()
    {
        var producer = await NewSchedulerAsync();
        producer.AddFlow("known", OneState(async ctx => ctx)).AddFlow("orphan", OneState(async ctx => ctx));
        var later = new ScheduleOptions { Delay = TimeSpan.FromHours(1) }; // pending throughout, whoever serves them
        var orphans = new[] { await producer.ScheduleAsync("orphan", 1, later), await producer.ScheduleAsync("orphan", 2, later) };
        await producer.ScheduleAsync("known", null, later);
        var worker = await NewSchedulerAsync();
        worker.AddFlow("known", OneState(async ctx => ctx));
        await worker.StartAsync();

        var unserved = await worker.ListUnservedJobsAsync();

        Assert.Equal(orphans.Order(StringComparer.Ordinal), unserved.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.All(unserved, j => Assert.Equal("orphan", j.Flow));

        // The producer has "orphan" registered but is not started (an API process): its flows serve nothing, and it gives the
        // store-wide answer; once it starts, it is a live worker of "orphan" for every process.
        Assert.Equal(orphans.Order(StringComparer.Ordinal), (await producer.ListUnservedJobsAsync()).Select(j => j.Id).Order(StringComparer.Ordinal));
        await producer.StartAsync();
        Assert.Empty(await worker.ListUnservedJobsAsync());
        Assert.Empty(await producer.ListUnservedJobsAsync());
        await producer.StopAsync();
        Assert.Equal(orphans.Order(StringComparer.Ordinal), (await worker.ListUnservedJobsAsync()).Select(j => j.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Start_WithPendingJobsOfAFlowItLacks_WarnsNamingTheFlow()
    {
        var time = NewClock();
        var producer = await NewSchedulerAsync(time: time);
        producer.AddFlow("orphan", OneState(async ctx => ctx));
        var orphan = await producer.ScheduleAsync("orphan");
        var logs = new CapturingLoggerFactory();
        var worker = await Scheduler.InitAsync(
            new SchedulerConfig { Sqlite = new SqliteConfig { Path = DatabasePath, FullSync = false }, MaintenanceInterval = TimeSpan.FromSeconds(1) },
            time,
            logs);
        await using (worker)
        {
            worker.AddFlow("known", OneState(async ctx => ctx));
            await worker.StartAsync();

            // Younger than a minute: not yet worth a warning. Then time passes, one tick at a time: the clock moves by each
            // one-second timer the worker arms (its maintenance interval and its poll interval) once it is armed.
            var warned = logs.WaitForAsync(m => m.Contains("'orphan'", StringComparison.Ordinal));
            await AdvanceArmedTimersUntilAsync(time, warned, due => due == TimeSpan.FromSeconds(1));

            var message = await warned.WaitAsync(Timeout);
            Assert.Contains(orphan, message, StringComparison.Ordinal);
            Assert.Contains("no live worker on this store serves that flow", message, StringComparison.Ordinal);
            Assert.True(time.GetUtcNow() >= new DateTimeOffset(2030, 1, 1, 0, 1, 0, TimeSpan.Zero), "Jobs pending for less than a minute are not warned about.");
        }
    }

    [Fact]
    public async Task Start_WithPendingJobsOfAFlowVersionItLacks_WarnsNamingTheFlowAndVersion()
    {
        var time = NewClock();
        var producer = await NewSchedulerAsync(time: time);
        producer.AddFlow("deploy", OneState(async ctx => ctx), new FlowOptions { Version = "1" });
        var old = await producer.ScheduleAsync("deploy");
        var logs = new CapturingLoggerFactory();
        var worker = await Scheduler.InitAsync(
            new SchedulerConfig { Sqlite = new SqliteConfig { Path = DatabasePath, FullSync = false }, MaintenanceInterval = TimeSpan.FromSeconds(1) },
            time,
            logs);
        await using (worker)
        {
            worker.AddFlow("deploy", OneState(async ctx => ctx), new FlowOptions { Version = "2" });
            await worker.StartAsync();
            Assert.Equal([old], (await worker.ListUnservedJobsAsync()).Select(j => j.Id));

            var warned = logs.WaitForAsync(m => m.Contains("'deploy' version '1'", StringComparison.Ordinal));
            await AdvanceArmedTimersUntilAsync(time, warned, due => due == TimeSpan.FromSeconds(1));

            var message = await warned.WaitAsync(Timeout);
            Assert.Contains(old, message, StringComparison.Ordinal);
            Assert.Contains("no live worker on this store has that version (live workers have other versions of that flow: 2)", message, StringComparison.Ordinal);
            Assert.Equal(JobStatus.Pending, (await worker.GetJobAsync(old)).Status);
        }
    }

    [Fact]
    public async Task Maintenance_AFlowServedAgainAndThenUnservedAgain_IsWarnedAboutAgain_NotWhileServed()
    {
        var time = NewClock();
        var producer = await NewSchedulerAsync(time: time);
        producer.AddFlow("orphan", OneState(async ctx => ctx));
        var orphan = await producer.ScheduleAsync("orphan", null, new ScheduleOptions { Delay = TimeSpan.FromHours(1) }); // pending throughout, served or not
        var logs = new CapturingLoggerFactory();
        var worker = await Scheduler.InitAsync(
            new SchedulerConfig { Sqlite = new SqliteConfig { Path = DatabasePath, FullSync = false }, MaintenanceInterval = TimeSpan.FromSeconds(1) },
            time,
            logs);
        await using (worker)
        {
            worker.AddFlow("known", OneState(async ctx => ctx));
            await worker.StartAsync();
            var first = logs.WaitForAsync(m => m.Contains("'orphan'", StringComparison.Ordinal));
            await AdvanceArmedTimersUntilAsync(time, first, due => due == TimeSpan.FromSeconds(1));
            await first.WaitAsync(Timeout);

            // Served again: the producer starts, a live worker of "orphan", for two check intervals (checks see it served).
            logs.Forget();
            await producer.StartAsync();
            var served = Task.Delay(UnservedJobsMonitor.CheckInterval * 2, time);
            await AdvanceArmedTimersUntilAsync(time, served, due => due == TimeSpan.FromSeconds(1));
            Assert.False(logs.Seen(m => m.Contains("'orphan'", StringComparison.Ordinal)), "No warning while a live worker serves the flow.");

            // Unserved again: warned again.
            await producer.StopAsync();
            var again = logs.WaitForAsync(m => m.Contains("'orphan'", StringComparison.Ordinal));
            await AdvanceArmedTimersUntilAsync(time, again, due => due == TimeSpan.FromSeconds(1));
            Assert.Contains(orphan, await again.WaitAsync(Timeout), StringComparison.Ordinal);
        }
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly Lock _gate = new();
        private readonly List<string> _messages = [];
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

        public Task<string> WaitForAsync(Func<string, bool> match)
        {
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_messages.FirstOrDefault(match) is { } seen)
                {
                    return Task.FromResult(seen);
                }

                _waiters.Add((match, done));
            }

            return done.Task;
        }

        /// <summary>Forgets the messages logged so far (a later <see cref="WaitForAsync"/> waits for a new one).</summary>
        public void Forget()
        {
            lock (_gate)
            {
                _messages.Clear();
            }
        }

        public bool Seen(Func<string, bool> match)
        {
            lock (_gate)
            {
                return _messages.Exists(m => match(m));
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            List<TaskCompletionSource<string>> matched = [];
            lock (_gate)
            {
                _messages.Add(message);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(message))
                    {
                        matched.Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            matched.ForEach(m => m.TrySetResult(message));
        }
    }
}
