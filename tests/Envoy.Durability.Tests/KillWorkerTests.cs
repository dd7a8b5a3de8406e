using Envoy.TestServers;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Envoy.Durability.Tests;

/// <summary>
/// Real durability: worker processes on one SQLite file are killed with SIGKILL and started again. Every job must finish,
/// and each step must commit exactly once (handlers may run more than once: the run log outside the job counts them).
/// </summary>
public sealed class KillWorkerTests(ITestOutputHelper output)
{
    private const string Counted = "counted";
    private const string Parent = "parent";
    private const int SigKillExitCode = 128 + 9;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);

    // Steps count from 1. A parent's Fan step commits twice by design: once blocking on its children, once when it resumes.
    private static readonly (string State, int Step, JobStatus To)[] CountedSteps = [("A", 1, JobStatus.Running), ("B", 2, JobStatus.Running), ("C", 3, JobStatus.Done)];
    private static readonly (string State, int Step, JobStatus To)[] ParentSteps = [("Fan", 1, JobStatus.Blocking), ("Fan", 1, JobStatus.Running), ("Join", 2, JobStatus.Done)];
    private static readonly (string State, int Step)[] ParentHandlers = [("Fan", 1), ("Join", 2)];

    [Fact]
    public Task KillNine_InTheMiddleOfSteps_EveryJobDoneAndEveryStepCommittedOnce() =>
        KillAndRestartAsync(jobs: 150, parents: 25, workerCount: 1, killAt: [0.15, 0.45, 0.75]);

    [Fact]
    public Task KillNine_OneOfTwoWorkers_JobsTakenOverAndEveryStepCommittedOnce() =>
        KillAndRestartAsync(jobs: 150, parents: 25, workerCount: 2, killAt: [0.2, 0.5, 0.8]);

    [Fact]
    public async Task KillNine_RightAfterScheduling_ScheduledJobsFinishAfterRestart()
    {
        const int Jobs = 50;
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var space = new Workspace();

        var scheduling = space.StartWorker("--schedule", Jobs.ToString(CultureInfo.InvariantCulture), "--no-run");
        await scheduling.WaitForLineAsync("SCHEDULED", ct);
        await scheduling.KillAsync(ct);
        Assert.Equal(SigKillExitCode, scheduling.ExitCode);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  killed worker {scheduling.Id} with SIGKILL right after it scheduled {Jobs} jobs");

        var reader = await space.ReaderAsync();
        var scheduled = await AllJobsAsync(reader);
        Assert.Equal(Jobs, scheduled.Count);
        Assert.All(scheduled, job => Assert.Equal(JobStatus.Pending, job.Status));
        Assert.Equal(0, RunLogReader.Read(space.Runs).TotalRuns);

        var worker = space.StartWorker();
        await worker.WaitForLineAsync("STARTED", ct);
        await WaitUntilAllTerminalAsync(reader, Jobs, ct);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  all {Jobs} jobs terminal after the restart (worker {worker.Id})");

        var summary = await AssertEachStepCommittedOnceAsync(reader, space.Runs, Jobs, parents: 0);
        Assert.Equal(0, summary.Reruns); // nothing was killed while running: every handler ran exactly once
    }

    /// <summary>
    /// Schedules <paramref name="jobs"/> counted jobs and <paramref name="parents"/> parents (two counted children each), runs
    /// <paramref name="workerCount"/> workers on one file and, each time the committed steps reach a fraction of
    /// <paramref name="killAt"/>, kills one of them (in turn) with SIGKILL and starts it again; then checks every job.
    /// </summary>
    private async Task KillAndRestartAsync(int jobs, int parents, int workerCount, double[] killAt)
    {
        using var timeout = new CancellationTokenSource(TestTimeout);
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var space = new Workspace();
        var totalJobs = jobs + (3 * parents);
        var totalSteps = ((jobs + (2 * parents)) * CountedSteps.Length) + parents;

        var workers = new DotnetWorkerProcess[workerCount];
        workers[0] = space.StartWorker("--schedule", jobs.ToString(CultureInfo.InvariantCulture), "--parents", parents.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < workerCount; i++)
        {
            workers[i] ??= space.StartWorker();
            await workers[i].WaitForLineAsync("STARTED", ct);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  {jobs} jobs and {parents} parents scheduled; workers {string.Join(", ", workers.Select(w => w.Id))} started");
        var reader = await space.ReaderAsync();
        for (var k = 0; k < killAt.Length; k++)
        {
            var target = (int)(totalSteps * killAt[k]);
            var committed = await PollAsync(() => CommittedStepsAsync(reader), c => c >= target, ct);
            var victim = workers[k % workerCount];
            await victim.KillAsync(ct);
            Assert.Equal(SigKillExitCode, victim.ExitCode);
            var runs = RunLogReader.Read(space.Runs).TotalRuns;
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  killed worker {victim.Id} with SIGKILL after {committed} of {totalSteps} steps committed (handler runs so far: {runs})");

            var restarted = space.StartWorker();
            workers[k % workerCount] = restarted;
            await restarted.WaitForLineAsync("STARTED", ct);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  started worker {restarted.Id}");
        }

        await WaitUntilAllTerminalAsync(reader, totalJobs, ct);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  all {totalJobs} jobs terminal");

        var summary = await AssertEachStepCommittedOnceAsync(reader, space.Runs, jobs + (2 * parents), parents);
        output.WriteLine(
            $"{totalJobs} jobs done ({parents} parents with 2 children each), every step committed once; {summary.Reruns} handler re-runs, " +
            $"{summary.Takeovers} lease takeovers, {killAt.Length} kills, {workerCount} worker(s) at a time, {clock.Elapsed.TotalSeconds:0.00} s");

        // The kills landed in the middle of steps: some handlers ran without their step committing, and were run again by
        // the worker that took the job over when its lease expired.
        Assert.True(summary.Reruns > 0, "No handler ran twice: no kill landed in the middle of a step.");
        Assert.True(summary.Takeovers > 0, "No job was taken over from a dead worker after its lease expired.");
    }

    private static Task<IReadOnlyList<Job>> AllJobsAsync(Scheduler reader, string? flow = null, string? parentId = null) =>
        reader.ListJobsAsync(new JobQuery { Flow = flow, ParentId = parentId, Limit = 10_000 });

    /// <summary>Steps committed so far: each committed counting step adds one to its job's own count.</summary>
    private static async Task<int> CommittedStepsAsync(Scheduler reader) =>
        (await AllJobsAsync(reader)).Sum(job => job.Context.Get<int>("count"));

    private static async Task WaitUntilAllTerminalAsync(Scheduler reader, int expected, CancellationToken ct)
    {
        // Children exist only once their parent's Fan step committed: wait for every job to exist, then for each to end.
        var jobs = await PollAsync(() => AllJobsAsync(reader), all => all.Count >= expected, ct);
        Assert.Equal(expected, jobs.Count);
        foreach (var job in jobs)
        {
            await reader.WaitForJobAsync(job.Id, TestTimeout, ct); // the test's own deadline (ct) bounds the whole wait
        }
    }

    /// <summary>
    /// Every job is done. A counted job's history has exactly one StepCompleted per state, in order (A1, B2, C3), its count
    /// is 3 and its trail "ABC"; a parent's history is Fan (blocking), Fan (resumed), Join, and it has exactly two children,
    /// both done. No step failed. The run log has at least one handler run for each committed step and none for any other,
    /// and its per-(job, state) counters agree with the runs.
    /// </summary>
    private static async Task<(int Reruns, int Takeovers)> AssertEachStepCommittedOnceAsync(Scheduler reader, string runsPath, int counted, int parents)
    {
        var log = RunLogReader.Read(runsPath);
        var expectedRuns = new HashSet<(string Job, string State, int Step)>();
        var takeovers = 0;

        var countedJobs = await AllJobsAsync(reader, Counted);
        Assert.Equal(counted, countedJobs.Count);
        foreach (var job in countedJobs)
        {
            takeovers += await AssertHistoryAsync(reader, job, CountedSteps);
            Assert.Equal(CountedSteps.Length, job.Context.Get<int>("count"));
            Assert.Equal("ABC", job.Context.Get<string>("trail"));
            expectedRuns.UnionWith(CountedSteps.Select(s => (job.Id, s.State, s.Step)));
        }

        var parentJobs = await AllJobsAsync(reader, Parent);
        Assert.Equal(parents, parentJobs.Count);
        foreach (var job in parentJobs)
        {
            takeovers += await AssertHistoryAsync(reader, job, ParentSteps);
            Assert.Equal("success,success", job.Context.Get<string>("children"));
            Assert.Equal(1, job.Context.Get<int>("count"));
            var children = await AllJobsAsync(reader, parentId: job.Id);
            Assert.Equal(2, children.Count); // spawned when Fan committed, exactly once, whatever the kills
            Assert.All(children, child => Assert.Equal(Counted, child.Flow));
            expectedRuns.UnionWith(ParentHandlers.Select(s => (job.Id, s.State, s.Step)));
        }

        Assert.Equal(parents * 2, countedJobs.Count(j => j.ParentId is not null));
        foreach (var key in expectedRuns)
        {
            var runs = log.Runs.GetValueOrDefault(key);
            Assert.True(runs >= 1, $"Job {key.Job}: step {key.Step} ({key.State}) committed but its handler never ran.");
        }

        Assert.DoesNotContain(log.Runs.Keys, key => !expectedRuns.Contains(key));
        foreach (var ((job, state), runs) in log.Counters)
        {
            Assert.Equal(log.Runs.Where(r => r.Key.Job == job && r.Key.State == state).Sum(r => r.Value), runs);
        }

        return (log.TotalRuns - expectedRuns.Count, takeovers);
    }

    /// <summary>Asserts the job is done with exactly these committed steps, in order, and no failed step; returns its takeovers.</summary>
    private static async Task<int> AssertHistoryAsync(Scheduler reader, Job job, (string State, int Step, JobStatus To)[] expected)
    {
        Assert.True(job.Status == JobStatus.Done, $"Job {job.Id} ({job.Flow}) is {job.Status}: {job.Error}");
        var history = await reader.GetJobHistoryAsync(job.Id);
        var committed = history.Where(e => e.Kind == JobEventKind.StepCompleted).Select(e => (e.State!, e.Step!.Value, e.To!.Value)).ToArray();
        Assert.Equal(expected, committed);
        Assert.DoesNotContain(history, e => e.Kind == JobEventKind.StepFailed);
        // A takeover is a claim of a job still running under an expired lease, or the maintenance leader's sweep of it back
        // to pending (whichever comes first; never both for one recovery).
        return history.Count(e => (e.Kind == JobEventKind.Claimed && e.From == JobStatus.Running) || e.Kind == JobEventKind.LeaseExpired);
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
