using Envoy.Runtime.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Recurring jobs (cron): the schedules are stored, so every scheduler on the store sees them; an occurrence makes one job
/// however many schedulers fire it; after downtime, one job for the latest missed occurrence. The firing logic is driven by a
/// <see cref="FakeTimeProvider"/> and <see cref="Scheduler.FireDueRecurringAsync"/> (one pass of what a started scheduler does at
/// each occurrence); one test runs started schedulers on the real clock.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly DateTimeOffset CronStart = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task Recurring_AddListUpdateRemove_IsStoredAndSeenByAnotherInstance()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var other = CronScheduler(time, out _, await SecondInstanceOrStoreAsync(), flow);
        var id = NewId();

        var added = await scheduler.AddRecurringAsync(id, flow, "*/5 * * * *", 7, new RecurringOptions { TimeZone = "Europe/Berlin", Priority = 3 });

        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 5, 0, TimeSpan.Zero), added.NextRunAt);
        var listed = Assert.Single(await other.ListRecurringAsync(), s => s.Id == id);
        Assert.Equal((flow, "*/5 * * * *", "Europe/Berlin", 3, true), (listed.Flow, listed.Cron, listed.TimeZone, listed.Priority, listed.Enabled));
        Assert.Equal(7, listed.Input!.GetValue<int>());
        Assert.Equal(added.NextRunAt, listed.NextRunAt);
        Assert.Null(listed.LastJobId);

        var jobId = await scheduler.TriggerRecurringAsync(id);
        var updated = await scheduler.AddRecurringAsync(id, flow, "0 3 * * *", 8);

        Assert.Equal(new DateTimeOffset(2026, 1, 6, 3, 0, 0, TimeSpan.Zero), updated.NextRunAt);
        var after = Assert.Single(await other.ListRecurringAsync(), s => s.Id == id);
        Assert.Equal(("0 3 * * *", "UTC", 0, 8), (after.Cron, after.TimeZone, after.Priority, after.Input!.GetValue<int>()));
        Assert.Equal(jobId, after.LastJobId);
        Assert.Equal(CronStart, after.LastRunAt);

        await other.RemoveRecurringAsync(id);

        Assert.DoesNotContain(await scheduler.ListRecurringAsync(), s => s.Id == id);
        await Assert.ThrowsAsync<RecurringNotFoundException>(() => scheduler.RemoveRecurringAsync(id));
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(jobId)).Status);
    }

    [Fact]
    public async Task Recurring_Trigger_CreatesOneJobNow_WithTheScheduleInputAndPriority()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var id = NewId();
        await scheduler.AddRecurringAsync(id, flow, "0 0 1 1 *", 41, new RecurringOptions { Priority = 5 });

        var jobId = await scheduler.TriggerRecurringAsync(id);

        var job = await scheduler.GetJobAsync(jobId);
        Assert.Equal((flow, 5, 41), (job.Flow, job.Priority, job.Input!.GetValue<int>()));
        var schedule = await scheduler.GetRecurringAsync(id);
        Assert.Equal(jobId, schedule.LastJobId);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), schedule.NextRunAt);
        await Assert.ThrowsAsync<RecurringNotFoundException>(() => scheduler.TriggerRecurringAsync(NewId()));
    }

    [Fact]
    public async Task Recurring_FiveAndSixFieldExpressions_FireAtTheirOccurrences()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var minutes = NewId();
        var seconds = NewId();

        var five = await scheduler.AddRecurringAsync(minutes, flow, "*/5 * * * *");
        var six = await scheduler.AddRecurringAsync(seconds, flow, "*/10 * * * * *");

        Assert.Equal(CronStart.AddSeconds(270), five.NextRunAt);
        Assert.Equal(CronStart.AddSeconds(10), six.NextRunAt);

        time.Advance(TimeSpan.FromSeconds(10.2));
        var (fired, next) = await scheduler.FireDueRecurringAsync();

        var job = await scheduler.GetJobAsync(Assert.Single(fired));
        Assert.Equal("recurring:" + seconds + ":2026-01-05T10:00:40.000Z", job.IdempotencyKey);
        Assert.Equal(CronStart.AddSeconds(20).ToUnixTimeMilliseconds(), next);
        Assert.Equal(CronStart.AddSeconds(20), (await scheduler.GetRecurringAsync(seconds)).NextRunAt);

        time.Advance(TimeSpan.FromSeconds(260));
        (fired, _) = await scheduler.FireDueRecurringAsync();

        Assert.Equal(2, fired.Count);
        var keys = (await Task.WhenAll(fired.Select(f => scheduler.GetJobAsync(f)))).Select(j => j.IdempotencyKey).Order(StringComparer.Ordinal);
        string[] expected = ["recurring:" + minutes + ":2026-01-05T10:05:00.000Z", "recurring:" + seconds + ":2026-01-05T10:05:00.000Z"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task Recurring_TimeZone_KeepsLocalTimeAcrossDaylightSaving()
    {
        // Europe/Berlin moves from CET (UTC+1) to CEST (UTC+2) on Sunday 29 March 2026: 09:00 local is 08:00 UTC, then 07:00 UTC.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero));
        var scheduler = CronScheduler(time, out var flow);
        var id = NewId();

        var added = await scheduler.AddRecurringAsync(id, flow, "0 9 * * *", options: new RecurringOptions { TimeZone = "Europe/Berlin" });

        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), added.NextRunAt);
        time.SetUtcNow(new DateTimeOffset(2026, 3, 28, 8, 0, 0, 100, TimeSpan.Zero));
        var first = Assert.Single((await scheduler.FireDueRecurringAsync()).JobIds);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero), (await scheduler.GetRecurringAsync(id)).NextRunAt);

        time.SetUtcNow(new DateTimeOffset(2026, 3, 29, 7, 0, 0, 100, TimeSpan.Zero));
        var second = Assert.Single((await scheduler.FireDueRecurringAsync()).JobIds);

        Assert.Equal("recurring:" + id + ":2026-03-28T08:00:00.000Z", (await scheduler.GetJobAsync(first)).IdempotencyKey);
        Assert.Equal("recurring:" + id + ":2026-03-29T07:00:00.000Z", (await scheduler.GetJobAsync(second)).IdempotencyKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 7, 0, 0, TimeSpan.Zero), (await scheduler.GetRecurringAsync(id)).NextRunAt);
    }

    [Fact]
    public async Task Recurring_ThreeSchedulersFiringAtOnce_CreateOneJobPerOccurrence()
    {
        var time = new FakeTimeProvider(CronStart);
        var first = CronScheduler(time, out var flow);
        var second = CronScheduler(time, out _, await SecondInstanceOrStoreAsync(), flow);
        var third = CronScheduler(time, out _, await SecondInstanceOrStoreAsync(), flow);
        var id = NewId();
        await first.AddRecurringAsync(id, flow, "* * * * *");

        var fired = new List<string>();
        for (var minute = 1; minute <= 3; minute++)
        {
            time.SetUtcNow(new DateTimeOffset(2026, 1, 5, 10, minute, 0, 50, TimeSpan.Zero));
            var passes = await Task.WhenAll(new[] { first, second, third }.Select(s => s.FireDueRecurringAsync()));
            fired.AddRange(passes.SelectMany(p => p.JobIds));
            var again = await Task.WhenAll(new[] { first, second, third }.Select(s => s.FireDueRecurringAsync()));
            Assert.All(again, p => Assert.Empty(p.JobIds));
        }

        var jobs = await first.ListJobsAsync(new JobQuery { Flow = flow });
        Assert.Equal(3, jobs.Count);
        Assert.Equal(3, fired.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            [.. Enumerable.Range(1, 3).Select(m => $"recurring:{id}:2026-01-05T10:0{m}:00.000Z")],
            jobs.Select(j => j.IdempotencyKey).Order(StringComparer.Ordinal));
        var schedule = await first.GetRecurringAsync(id);
        Assert.Contains(schedule.LastJobId, jobs.Select(j => j.Id));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 4, 0, TimeSpan.Zero), schedule.NextRunAt);
    }

    [Fact]
    public async Task Recurring_AfterDowntime_RunsOnceForTheLatestMissedOccurrence()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var id = NewId();
        await scheduler.AddRecurringAsync(id, flow, "*/5 * * * *");

        time.SetUtcNow(new DateTimeOffset(2026, 1, 7, 12, 31, 10, TimeSpan.Zero)); // two days down: hundreds of missed occurrences
        var (fired, next) = await scheduler.FireDueRecurringAsync();
        var again = await scheduler.FireDueRecurringAsync();

        var job = await scheduler.GetJobAsync(Assert.Single(fired));
        Assert.Equal("recurring:" + id + ":2026-01-07T12:30:00.000Z", job.IdempotencyKey);
        Assert.Empty(again.JobIds);
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 12, 35, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), next);
        Assert.Single(await scheduler.ListJobsAsync(new JobQuery { Flow = flow }));
    }

    [Fact]
    public async Task Recurring_Disabled_DoesNotFire_ButCanBeTriggered()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var id = NewId();

        var added = await scheduler.AddRecurringAsync(id, flow, "* * * * * *", options: new RecurringOptions { Enabled = false });
        time.Advance(TimeSpan.FromMinutes(5));
        var (fired, _) = await scheduler.FireDueRecurringAsync();

        Assert.Null(added.NextRunAt);
        Assert.Empty(fired);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = flow }));
        var jobId = await scheduler.TriggerRecurringAsync(id);
        Assert.Equal(flow, (await scheduler.GetJobAsync(jobId)).Flow);

        var enabled = await scheduler.AddRecurringAsync(id, flow, "* * * * * *");
        Assert.Equal(time.GetUtcNow().AddSeconds(1), enabled.NextRunAt);
    }

    [Fact]
    public async Task Recurring_BadInput_IsRefusedWithTypedErrors_AndStoresNothing()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out var flow);
        var id = NewId();

        var range = await Assert.ThrowsAsync<InvalidCronExpressionException>(() => scheduler.AddRecurringAsync(id, flow, "61 * * * *"));
        var fields = await Assert.ThrowsAsync<InvalidCronExpressionException>(() => scheduler.AddRecurringAsync(id, flow, "* * *"));
        var garbage = await Assert.ThrowsAsync<InvalidCronExpressionException>(() => scheduler.AddRecurringAsync(id, flow, "every day"));
        var zone = await Assert.ThrowsAsync<UnknownTimeZoneException>(() => scheduler.AddRecurringAsync(id, flow, "* * * * *", options: new RecurringOptions { TimeZone = "Mars/Olympus" }));
        var unknownFlow = await Assert.ThrowsAsync<FlowNotFoundException>(() => scheduler.AddRecurringAsync(id, NewFlow("missing"), "* * * * *"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => scheduler.AddRecurringAsync(" ", flow, "* * * * *"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => scheduler.AddRecurringAsync(new string('x', Scheduler.MaxRecurringIdLength + 1), flow, "* * * * *"));
        await Assert.ThrowsAsync<RecurringNotFoundException>(() => scheduler.GetRecurringAsync(id));
        await Assert.ThrowsAsync<RecurringNotFoundException>(() => scheduler.RemoveRecurringAsync(id));
        var trigger = await Assert.ThrowsAsync<RecurringNotFoundException>(() => scheduler.TriggerRecurringAsync(id));

        Assert.Equal("61 * * * *", range.Expression);
        Assert.Contains("61 * * * *", range.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(range.Reason));
        Assert.Equal("* * *", fields.Expression);
        Assert.Equal("every day", garbage.Expression);
        Assert.Equal("Mars/Olympus", zone.TimeZoneId);
        Assert.IsAssignableFrom<EnvoyException>(zone);
        Assert.IsAssignableFrom<EnvoyException>(range);
        Assert.StartsWith("missing-", unknownFlow.Flow, StringComparison.Ordinal);
        Assert.Equal(id, trigger.RecurringId);
        Assert.DoesNotContain(await scheduler.ListRecurringAsync(), s => s.Id == id);
    }

    [Fact]
    public async Task RecordRecurringRun_Advance_IsACompareAndSetOnTheNextOccurrence()
    {
        var id = NewId();
        await Store.SaveRecurringAsync(new RecurringRow { Id = id, Flow = "f", Cron = "* * * * *", TimeZone = "UTC", NextRunAtMs = T0, UpdatedAtMs = T0 });

        var firstMove = await Store.RecordRecurringRunAsync(new RecurringRun(id, "job-1", T0 + 5, new RecurringAdvance(T0, T0 + 60_000)));
        var staleMove = await Store.RecordRecurringRunAsync(new RecurringRun(id, "job-2", T0 + 6, new RecurringAdvance(T0, T0 + 120_000)));
        var byHand = await Store.RecordRecurringRunAsync(new RecurringRun(id, "job-3", T0 + 7));
        var unknown = await Store.RecordRecurringRunAsync(new RecurringRun(NewId(), "job-4", T0 + 8));

        Assert.True(firstMove);
        Assert.False(staleMove);
        Assert.True(byHand);
        Assert.False(unknown);
        var row = await Store.GetRecurringAsync(id);
        Assert.Equal((T0 + 60_000, T0 + 7, "job-3"), (row!.NextRunAtMs, row.LastRunAtMs, row.LastJobId));
        Assert.True(await Store.DeleteRecurringAsync(id));
        Assert.False(await Store.DeleteRecurringAsync(id));
        Assert.Null(await Store.GetRecurringAsync(id));
    }

    [Fact]
    public async Task Recurring_StartedSchedulersOnTheRealClock_FireEachOccurrenceOnce()
    {
        var flow = NewFlow("cron-live");
        var first = NewScheduler();
        var second = NewScheduler(await SecondInstanceOrStoreAsync());
        first.AddFlow(flow, Chain(null));
        second.AddFlow(flow, Chain(null));
        await first.StartAsync();
        await second.StartAsync();
        var id = NewId();

        await first.AddRecurringAsync(id, flow, "* * * * * *", 1);
        await EventuallyAsync(async () => (await first.ListJobsAsync(new JobQuery { Flow = flow })).Count >= 3, "three occurrences fired", TimeSpan.FromSeconds(30));
        await first.RemoveRecurringAsync(id);

        var jobs = await first.ListJobsAsync(new JobQuery { Flow = flow });
        var keys = jobs.Select(j => j.IdempotencyKey).ToList();
        Assert.All(keys, k => Assert.StartsWith("recurring:" + id + ":", k, StringComparison.Ordinal));
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        foreach (var job in jobs)
        {
            // Within about a second of its occurrence (the key's time): the trigger waits for the occurrence, it does not poll.
            var occurrence = DateTimeOffset.Parse(job.IdempotencyKey!["recurring:".Length..][(id.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(job.CreatedAt - occurrence, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task Recurring_TheDocsSnippet_Runs()
    {
        var time = new FakeTimeProvider(CronStart);
        var scheduler = CronScheduler(time, out _);
        scheduler.AddFlow("report", Chain(null)).AddFlow("ping", Chain(null));

        // docs/scheduling.md, "Recurring jobs (cron)":
        await scheduler.AddRecurringAsync("nightly-report", "report", "30 2 * * *", new { Days = 1 },
            new RecurringOptions { TimeZone = "Europe/Berlin", Priority = 5 });
        await scheduler.AddRecurringAsync("heartbeat", "ping", "*/15 * * * * *");
        IReadOnlyList<RecurringSchedule> schedules = await scheduler.ListRecurringAsync();
        string jobId = await scheduler.TriggerRecurringAsync("nightly-report");
        await scheduler.RemoveRecurringAsync("heartbeat");

        Assert.Contains(schedules, s => s.Id == "heartbeat" && s.NextRunAt == CronStart.AddSeconds(15));
        Assert.Equal(new DateTimeOffset(2026, 1, 6, 1, 30, 0, TimeSpan.Zero), Assert.Single(schedules, s => s.Id == "nightly-report").NextRunAt);
        Assert.Equal(5, (await scheduler.GetJobAsync(jobId)).Priority);
        await scheduler.RemoveRecurringAsync("nightly-report");
    }

    /// <summary>A scheduler on <paramref name="store"/> (default <see cref="Store"/>) at <paramref name="time"/>, not started, with a chain flow.</summary>
    private Scheduler CronScheduler(FakeTimeProvider time, out string flow, IJobStore? store = null, string? flowName = null)
    {
        flow = flowName ?? NewFlow("cron");
        var scheduler = DisposeAfterTest(new Scheduler(store ?? Store, new SchedulerOptions(), time, ownsStore: false));
        scheduler.AddFlow(flow, Chain(null));
        return scheduler;
    }
}
