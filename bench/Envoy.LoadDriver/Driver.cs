using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Envoy.LoadDriver;

/// <summary>Runs the phases of one load run against one scheduler: warm-up, throughput, idle-latency probe, verification.</summary>
internal sealed class Driver(DriverOptions options, Scheduler scheduler, Workload workload, JobTracker tracker, PgCounts? counts = null)
{
    /// <summary>Several processes share the jobs: completion and exactly-once come from the store and the counter table.</summary>
    private bool Shared => options.Processes > 1;

    private readonly List<string> _allTop = [];
    private long _scheduled;

    public long Scheduled => Interlocked.Read(ref _scheduled);

    /// <summary>Schedules <paramref name="n"/> jobs in batches (at most <see cref="DriverOptions.MaxBacklog"/> unfinished) and waits for all of them.</summary>
    public async Task<PhaseResult> RunPhaseAsync(string phase, int n, CancellationToken timeout)
    {
        var ids = new string[n];
        var baseTop = tracker.TopFinished;
        var baseSteps = tracker.StepsCommitted;
        var baseLatencies = tracker.StepLatencyCount;
        Interlocked.Exchange(ref _scheduled, 0);
        await using (new Progress(phase, tracker, () => Scheduled, n, options.Quiet))
        {
            using var self = Process.GetCurrentProcess();
            var cpuBefore = self.TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var gen0Before = GC.CollectionCount(0);
            var gen2Before = GC.CollectionCount(2);
            var start = Stopwatch.GetTimestamp();
            for (var offset = 0; offset < n; offset += options.Batch)
            {
                var count = Math.Min(options.Batch, n - offset);
                while (Scheduled - (tracker.TopFinished - baseTop) + count > Math.Max(options.MaxBacklog, count))
                {
                    await Task.Delay(1, timeout);
                }

                var tasks = new Task[count];
                for (var i = 0; i < count; i++)
                {
                    tasks[i] = ScheduleOneAsync(ids, offset + i, timeout);
                }

                await Task.WhenAll(tasks);
            }

            var scheduledAt = Stopwatch.GetTimestamp();
            while (tracker.TopFinished - baseTop < n)
            {
                await Task.Delay(2, timeout);
            }

            var elapsed = Stopwatch.GetElapsedTime(start, tracker.LastTopFinishTs);
            self.Refresh();
            var cpu = self.TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
            var gcs = (Gen0: GC.CollectionCount(0) - gen0Before, Gen2: GC.CollectionCount(2) - gen2Before);
            // With several processes this one sees only its own steps' events: the count is checked across processes in VerifyAsync.
            var steps = Shared ? (long)n * workload.StepsPerTop : await SettledStepsAsync(baseSteps, (long)n * workload.StepsPerTop, timeout) - baseSteps;
            _allTop.AddRange(ids);
            var stepLatencies = tracker.StepLatencies(baseLatencies, tracker.StepLatencyCount);
            return new PhaseResult(ids, elapsed, Stopwatch.GetElapsedTime(start, scheduledAt), steps, cpu, allocated, gcs.Gen0, gcs.Gen2, stepLatencies);
        }
    }

    /// <summary>Schedules <paramref name="n"/> jobs one at a time, each once the previous one finished and the workers are idle.</summary>
    public async Task<string[]> ProbeAsync(int n, CancellationToken timeout)
    {
        var ids = new string[n];
        for (var i = 0; i < n; i++)
        {
            // Let the dispatcher go back to waiting for a wake-up: the probe measures idle workers.
            await Task.Delay(2, timeout);
            var finished = tracker.ExpectOneTopFinish();
            var before = Stopwatch.GetTimestamp();
            var beforeUs = PgCounts.NowUs();
            var id = await scheduler.ScheduleAsync(workload.TopFlow, i, cancellationToken: timeout);
            tracker.Scheduled(id, workload.TopHandlers, before).ScheduledUs = beforeUs;
            ids[i] = id;
            if (Shared)
            {
                // Another process may run it: wait through the store's finished signals (LISTEN/NOTIFY or Redis).
                await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(30), timeout);
            }
            else
            {
                await finished.WaitAsync(timeout);
            }
        }

        _allTop.AddRange(ids);
        return ids;
    }

    /// <summary>Checks every job: each handler ran exactly once and in order, every job is done, and the stored history of a sample agrees.</summary>
    public async Task<bool> VerifyAsync(CancellationToken timeout)
    {
        var ok = true;
        var expectedJobs = (long)_allTop.Count * workload.JobsPerTop;
        var expectedSteps = (long)_allTop.Count * workload.StepsPerTop;
        if (Shared && counts is not null)
        {
            // Every process counted its handler runs into bench_counts (the workers flushed theirs before they exited).
            await counts.FlushAsync(timeout);
            var (rows, runs, notOnce, jobs) = await counts.TotalsAsync(timeout);
            ok &= Check(rows == expectedSteps, $"bench_counts: {rows} (job, state) rows, expected {expectedSteps}");
            ok &= Check(runs == expectedSteps, $"bench_counts: {runs} handler runs, expected {expectedSteps}");
            ok &= Check(notOnce == 0, $"bench_counts: {notOnce} (job, state) ran other than exactly once");
            ok &= Check(jobs == expectedJobs, $"bench_counts: {jobs} jobs ran handlers, expected {expectedJobs}");
            var done = await counts.FinishedAsync(workload.TopFlow, timeout);
            ok &= Check(done == _allTop.Count, $"{done} top-level jobs finished in the store, expected {_allTop.Count}");
            var distinctIds = _allTop.Distinct(StringComparer.Ordinal).Count();
            ok &= Check(distinctIds == _allTop.Count, $"{_allTop.Count} jobs scheduled but only {distinctIds} distinct ids");
            await Console.Error.WriteLineAsync($"exactly-once across processes: {rows} (job, state) rows, {runs} runs, {notOnce} not once, {jobs} jobs");
            ok &= await VerifyHistorySampleAsync(timeout);
            return ok;
        }

        ok &= Check(tracker.JobCount == expectedJobs, $"{tracker.JobCount} jobs ran handlers, expected {expectedJobs}");
        ok &= Check(tracker.JobsFinished == expectedJobs, $"{tracker.JobsFinished} jobs finished, expected {expectedJobs}");
        ok &= Check(tracker.JobsNotDone == 0, $"{tracker.JobsNotDone} jobs did not end Done");
        ok &= Check(tracker.StepsCommitted == expectedSteps, $"{tracker.StepsCommitted} steps committed, expected {expectedSteps}");
        var handlerRuns = 0L;
        var badJobs = 0;
        foreach (var (id, track) in tracker.Jobs)
        {
            var good = !track.OrderError;
            foreach (var hits in track.Hits)
            {
                handlerRuns += hits;
                good &= hits == 1;
            }

            if (!good && ++badJobs <= 10)
            {
                tracker.Problem($"job {id}: handler runs [{string.Join(", ", track.Hits)}], out of order: {track.OrderError}");
            }
        }

        ok &= Check(badJobs == 0, $"{badJobs} jobs ran a handler other than exactly once, in order");
        ok &= Check(tracker.StepsStarted == handlerRuns, $"{tracker.StepsStarted} handler calls, {handlerRuns} counted");
        var distinct = _allTop.Distinct(StringComparer.Ordinal).Count();
        ok &= Check(distinct == _allTop.Count, $"{_allTop.Count} jobs scheduled but only {distinct} distinct ids");

        ok &= await VerifyHistorySampleAsync(timeout);
        return ok;
    }

    private async Task ScheduleOneAsync(string[] ids, int index, CancellationToken timeout)
    {
        var before = Stopwatch.GetTimestamp();
        var beforeUs = PgCounts.NowUs();
        var id = await scheduler.ScheduleAsync(workload.TopFlow, index, options.ScheduleOptionsOf(index), timeout);
        tracker.Scheduled(id, workload.TopHandlers, before).ScheduledUs = beforeUs;
        ids[index] = id;
        Interlocked.Increment(ref _scheduled);
    }

    /// <summary>Step events are raised by the worker that committed them, a moment after the commit; wait for the stragglers.</summary>
    private async Task<long> SettledStepsAsync(long baseSteps, long expected, CancellationToken timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        while (tracker.StepsCommitted - baseSteps < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1, timeout);
        }

        return tracker.StepsCommitted;
    }

    private async Task<bool> VerifyHistorySampleAsync(CancellationToken timeout)
    {
        var ok = true;
        var random = new Random(42);
        var sample = _allTop.OrderBy(_ => random.Next()).Take(options.VerifyHistory).ToList();
        foreach (var id in sample)
        {
            var history = await scheduler.GetJobHistoryAsync(id, timeout);
            var steps = history.Where(e => e.Kind is JobEventKind.StepCompleted or JobEventKind.StepFailed).Select(e => e.State ?? "?").ToList();
            ok &= Check(steps.SequenceEqual(workload.TopStates), $"job {id}: stored steps [{string.Join(", ", steps)}], expected [{string.Join(", ", workload.TopStates)}]");
            if (workload.JobsPerTop > 1)
            {
                var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id, Limit = 100 }, timeout);
                ok &= Check(children.Count == workload.JobsPerTop - 1 && children.All(c => c.Status == JobStatus.Done), $"job {id}: {children.Count} children, {children.Count(c => c.Status == JobStatus.Done)} done");
                foreach (var child in children.Take(2))
                {
                    var childSteps = (await scheduler.GetJobHistoryAsync(child.Id, timeout)).Count(e => e.Kind == JobEventKind.StepCompleted);
                    ok &= Check(childSteps == 1, $"child {child.Id}: {childSteps} stored steps, expected 1");
                }
            }

            if (!ok)
            {
                break;
            }
        }

        return ok;
    }

    private bool Check(bool condition, string problem)
    {
        if (!condition)
        {
            tracker.Problem(problem);
        }

        return condition;
    }
}

/// <summary>What one phase measured.</summary>
/// <param name="Ids">The top-level jobs, in scheduling order.</param>
/// <param name="Elapsed">From the first schedule call to the last top-level job's finish.</param>
/// <param name="SchedulingTime">From the first schedule call until the last one returned.</param>
/// <param name="Steps">Steps committed in the phase, children included.</param>
/// <param name="Cpu">CPU time this process used during the phase (user + system, all threads).</param>
/// <param name="Allocated">Bytes allocated on the managed heap during the phase (driver included).</param>
/// <param name="Gen0">Generation-0 collections during the phase.</param>
/// <param name="Gen2">Generation-2 collections during the phase.</param>
/// <param name="StepLatencies">Each committed step's time from its handler's start to its commit being applied, in ticks.</param>
internal sealed record PhaseResult(
    string[] Ids, TimeSpan Elapsed, TimeSpan SchedulingTime, long Steps, TimeSpan Cpu, long Allocated, int Gen0, int Gen2, long[] StepLatencies);

/// <summary>Warnings and errors of the scheduler, on stderr.</summary>
internal static class DriverLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Warning)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSimpleConsole(o => o.SingleLine = true));
}
