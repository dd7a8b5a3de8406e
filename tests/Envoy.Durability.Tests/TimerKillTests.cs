using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Envoy.Durability.Tests;

/// <summary>
/// Durable timers across processes, in real time: jobs sleep in one worker process, that process is killed with SIGKILL while
/// they sleep, and another process fires their timers on time, each once.
/// </summary>
public sealed class TimerKillTests(ITestOutputHelper output)
{
    private const string Nap = "nap";
    private const int SigKillExitCode = 128 + 9;
    private const int NapMs = 4000;

    /// <summary>"Within a second" on an idle machine; generous here, for a loaded 2-core machine shared with parallel builds.</summary>
    private static readonly TimeSpan MaxLateness = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task KillNine_TheProcessThatRanTheSleepingJobs_AnotherFiresEachTimerOnceOnTime()
    {
        const int Jobs = 5;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        await using var space = new Workspace();

        var sleeper = space.StartWorker("--naps", Jobs.ToString(CultureInfo.InvariantCulture), "--nap-ms", NapMs.ToString(CultureInfo.InvariantCulture));
        await sleeper.WaitForLineAsync("STARTED", ct);
        var reader = await space.ReaderAsync();
        await PollAsync(() => NapsAsync(reader), jobs => jobs.Count == Jobs && jobs.All(j => j.Status == JobStatus.Blocking), ct);
        var other = space.StartWorker();
        await other.WaitForLineAsync("STARTED", ct);
        await sleeper.KillAsync(ct);
        var killedAt = DateTimeOffset.UtcNow;
        Assert.Equal(SigKillExitCode, sleeper.ExitCode);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.00} s  {Jobs} jobs sleeping {NapMs} ms in worker {sleeper.Id}, killed with SIGKILL; worker {other.Id} runs");

        var done = await PollAsync(() => NapsAsync(reader), jobs => jobs.All(j => j.Status.IsTerminal()), ct);
        Assert.All(done, j => Assert.Equal(JobStatus.Done, j.Status));
        var runs = RunLogReader.Read(space.Runs);
        foreach (var job in done)
        {
            var history = await reader.GetJobHistoryAsync(job.Id, ct);
            var slept = Assert.Single(history, e => e.Kind == JobEventKind.StepCompleted && e.To == JobStatus.Blocking);
            var fired = Assert.Single(history, e => e.Kind == JobEventKind.WaitResolved);
            var due = slept.At + TimeSpan.FromMilliseconds(NapMs);
            var late = fired.At - due;
            output.WriteLine($"job {job.Id}: timer due {due:HH:mm:ss.fff}, fired {fired.At:HH:mm:ss.fff} ({late.TotalMilliseconds:0} ms late)");
            Assert.True(fired.At >= due, $"Fired {-late.TotalMilliseconds:0} ms early.");
            Assert.True(fired.At >= killedAt - TimeSpan.FromMilliseconds(50), "Fired before the sleeping worker was killed.");
            Assert.True(late <= MaxLateness, $"Fired {late.TotalMilliseconds:0} ms late.");
            Assert.Equal(1, runs.Runs[(job.Id, "Nap", 1)]);
            Assert.Equal("woke", job.Context.Output<string>());
        }
    }

    private static Task<IReadOnlyList<Job>> NapsAsync(Scheduler reader) => reader.ListJobsAsync(new JobQuery { Flow = Nap, Limit = 100 });

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
