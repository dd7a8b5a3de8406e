using System.Diagnostics;
using Xunit.Abstractions;

namespace Envoy.Durability.Tests;

/// <summary>
/// Real durability: a worker process on a SQLite file is killed with SIGKILL and started again. Every job must finish, and
/// each step must commit exactly once (handlers may run more than once: the run log outside the job counts them).
/// </summary>
public sealed class KillWorkerTests(ITestOutputHelper output)
{
    private const string Flow = "counted";
    private const int StepsPerJob = 3;
    private const int SigKillExitCode = 128 + 9;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);
    private static readonly (string State, int Step)[] ExpectedSteps = [("A", 1), ("B", 2), ("C", 3)]; // steps count from 1

    [Fact]
    public async Task KillNine_InTheMiddleOfSteps_EveryJobDoneAndEveryStepCommittedOnce()
    {
        const int Jobs = 200;
        double[] killAt = [0.15, 0.45, 0.75]; // of all steps committed
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var space = new Workspace();

        var worker = space.StartWorker("--schedule", Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await worker.WaitForLineAsync("STARTED", ct);
        var reader = await space.ReaderAsync();
        foreach (var fraction in killAt)
        {
            var target = (int)(Jobs * StepsPerJob * fraction);
            var committed = await PollAsync(() => CommittedStepsAsync(reader), c => c >= target, ct);
            await worker.KillAsync(ct);
            Assert.Equal(SigKillExitCode, worker.ExitCode);
            var runs = RunLogReader.Read(space.Runs).TotalRuns;
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  killed worker {worker.Id} with SIGKILL after {committed} committed steps (handler runs so far: {runs})");

            worker = space.StartWorker();
            await worker.WaitForLineAsync("STARTED", ct);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  started worker {worker.Id}");
        }

        await WaitUntilAllTerminalAsync(reader, Jobs, ct);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  all {Jobs} jobs terminal");

        var summary = await AssertEachStepCommittedOnceAsync(reader, space.Runs, Jobs);
        output.WriteLine($"{Jobs} jobs done, {Jobs * StepsPerJob} steps committed once each; {summary.Reruns} handler re-runs, {summary.Takeovers} lease takeovers, {killAt.Length} kills, {clock.Elapsed.TotalSeconds:0.00} s");

        // The kills landed in the middle of steps: some handlers ran without their step committing, and were run again by
        // the worker that took the job over when its lease expired.
        Assert.True(summary.Reruns > 0, "No handler ran twice: no kill landed in the middle of a step.");
        Assert.True(summary.Takeovers > 0, "No job was taken over from a dead worker after its lease expired.");
    }

    [Fact]
    public async Task KillNine_RightAfterScheduling_ScheduledJobsFinishAfterRestart()
    {
        const int Jobs = 50;
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var space = new Workspace();

        var scheduling = space.StartWorker("--schedule", Jobs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-run");
        await scheduling.WaitForLineAsync("SCHEDULED", ct);
        await scheduling.KillAsync(ct);
        Assert.Equal(SigKillExitCode, scheduling.ExitCode);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  killed worker {scheduling.Id} with SIGKILL right after it scheduled {Jobs} jobs");

        var reader = await space.ReaderAsync();
        var scheduled = await reader.ListJobsAsync(new JobQuery { Flow = Flow, Limit = 1_000 }, ct);
        Assert.Equal(Jobs, scheduled.Count);
        Assert.All(scheduled, job => Assert.Equal(JobStatus.Pending, job.Status));
        Assert.Equal(0, RunLogReader.Read(space.Runs).TotalRuns);

        var worker = space.StartWorker();
        await worker.WaitForLineAsync("STARTED", ct);
        await WaitUntilAllTerminalAsync(reader, Jobs, ct);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  all {Jobs} jobs terminal after the restart (worker {worker.Id})");

        var summary = await AssertEachStepCommittedOnceAsync(reader, space.Runs, Jobs);
        Assert.Equal(0, summary.Reruns); // nothing was killed while running: every handler ran exactly once
    }

    /// <summary>Steps committed so far: each committed step adds one to the job's own count.</summary>
    private static async Task<int> CommittedStepsAsync(Scheduler reader)
    {
        var jobs = await reader.ListJobsAsync(new JobQuery { Flow = Flow, Limit = 10_000 });
        return jobs.Sum(job => job.Context.Get<int>("count"));
    }

    private static async Task WaitUntilAllTerminalAsync(Scheduler reader, int expected, CancellationToken ct)
    {
        var jobs = await reader.ListJobsAsync(new JobQuery { Flow = Flow, Limit = 10_000 }, ct);
        Assert.Equal(expected, jobs.Count);
        foreach (var job in jobs)
        {
            var left = TestTimeout; // bounded overall by ct
            await reader.WaitForJobAsync(job.Id, left, ct);
        }
    }

    /// <summary>
    /// Every job is done; its history has exactly one StepCompleted per state, in order (A1, B2, C3), and no failed step; its
    /// own count is 3 and its trail "ABC"; the run log has at least one handler run for each committed step and none for any
    /// other, and its per-(job, state) counters agree with the runs.
    /// </summary>
    private static async Task<(int Reruns, int Takeovers)> AssertEachStepCommittedOnceAsync(Scheduler reader, string runsPath, int expected)
    {
        var jobs = await reader.ListJobsAsync(new JobQuery { Flow = Flow, Limit = 10_000 });
        Assert.Equal(expected, jobs.Count);
        var log = RunLogReader.Read(runsPath);
        var takeovers = 0;
        foreach (var job in jobs)
        {
            Assert.True(job.Status == JobStatus.Done, $"Job {job.Id} is {job.Status}: {job.Error}");
            var history = await reader.GetJobHistoryAsync(job.Id);
            var committed = history.Where(e => e.Kind == JobEventKind.StepCompleted).Select(e => (e.State!, e.Step!.Value)).ToArray();
            Assert.Equal(ExpectedSteps, committed);
            Assert.DoesNotContain(history, e => e.Kind == JobEventKind.StepFailed);
            Assert.Equal(StepsPerJob, job.Context.Get<int>("count"));
            Assert.Equal("ABC", job.Context.Get<string>("trail"));
            takeovers += history.Count(e => e.Kind == JobEventKind.Claimed && e.From == JobStatus.Running);

            foreach (var (state, step) in ExpectedSteps)
            {
                var runs = log.Runs.GetValueOrDefault((job.Id, state, step));
                Assert.True(runs >= 1, $"Job {job.Id}: step {step} ({state}) committed but its handler never ran.");
                Assert.Equal(runs, log.Counters.GetValueOrDefault((job.Id, state)));
            }
        }

        var ids = jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        var unexpected = log.Runs.Keys.Where(k => !ids.Contains(k.Job) || !ExpectedSteps.Contains((k.State, k.Step))).ToList();
        Assert.Empty(unexpected);
        return (log.TotalRuns - (expected * StepsPerJob), takeovers);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> until, CancellationToken ct)
    {
        while (true)
        {
            var value = await read();
            if (until(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), ct); // polling a condition in another process, bounded by ct
        }
    }
}
