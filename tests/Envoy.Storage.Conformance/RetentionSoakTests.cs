using System.Diagnostics;
using Envoy.Runtime.Storage;
using Xunit.Abstractions;

namespace Envoy.Storage.Conformance;

/// <summary>
/// The retention soak test (issue 17), run by each store's test project: a scheduler with a retention of a few seconds under a
/// steady load for <see cref="Duration"/>; the store's size (its job count, and <see cref="StoreBytesAsync"/>) sampled each
/// second must level off: the mean of the last third of the samples stays within a generous margin of the middle third's
/// (a store that kept every job would grow by two thirds between them), and the job count stays near what the retention
/// window holds.
/// </summary>
public abstract class RetentionSoakTests
{
    /// <summary>How long the load runs.</summary>
    protected static readonly TimeSpan Duration = TimeSpan.FromSeconds(75);

    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(3);

    private const int JobsPerSecond = 40;

    /// <summary>Creates the store for the test (initialized, empty).</summary>
    protected abstract Task<IJobStore> CreateStoreAsync();

    /// <summary>The store's size on disk in bytes (tables and indexes), or null when the store cannot say.</summary>
    protected virtual Task<long?> StoreBytesAsync() => Task.FromResult<long?>(null);

    /// <summary>Runs the soak and checks that the store's size levels off.</summary>
    protected async Task RunSoakAsync(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var store = await CreateStoreAsync();
        var config = new SchedulerOptions
        {
            Concurrency = 4,
            Retention = Retention,
            MaintenanceInterval = TimeSpan.FromMilliseconds(250),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };
        var flow = "soak";
        await using var scheduler = new Scheduler(store, config, TimeProvider.System, ownsStore: true);
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("A") { OnState = ctx => Task.FromResult(ctx.Output(ctx.Input<int>() + 1)), Router = Router.Next("B") },
            new State("B") { OnState = ctx => Task.FromResult(ctx.Output(ctx.Output<int>() * 2)), Router = Router.End },
        ]));
        await scheduler.StartAsync();

        var jobs = new List<long>();
        var bytes = new List<long>();
        var scheduled = 0;
        var clock = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / JobsPerSecond));
        var nextSample = TimeSpan.FromSeconds(1);
        while (clock.Elapsed < Duration && await tick.WaitForNextTickAsync())
        {
            await scheduler.ScheduleAsync(flow, scheduled++);
            if (clock.Elapsed >= nextSample)
            {
                nextSample += TimeSpan.FromSeconds(1);
                jobs.Add((await store.CountJobsAsync()).Values.Sum());
                if (await StoreBytesAsync() is { } size)
                {
                    bytes.Add(size);
                }
            }
        }

        await scheduler.StopAsync();
        output.WriteLine($"scheduled {scheduled} jobs in {clock.Elapsed.TotalSeconds:F0} s; jobs in the store each second: {string.Join(' ', jobs)}");
        if (bytes.Count > 0)
        {
            output.WriteLine($"store bytes each second: {string.Join(' ', bytes)}");
        }

        AssertLevelsOff("jobs in the store", jobs, slack: JobsPerSecond * 2);
        Assert.True(jobs.Skip(jobs.Count / 3).Max() < JobsPerSecond * 30, $"The job count grew past what a {Retention.TotalSeconds} s retention holds: {jobs.Max()}.");
        if (bytes.Count > 0)
        {
            AssertLevelsOff("store bytes", bytes, slack: 256 * 1024);
        }
    }

    private static void AssertLevelsOff(string what, List<long> samples, long slack)
    {
        var third = samples.Count / 3;
        Assert.True(third >= 5, $"Too few samples of {what} ({samples.Count}).");
        var middle = samples.Skip(third).Take(third).Average();
        var last = samples.Skip(2 * third).Average();
        Assert.True(
            last <= (middle * 1.25) + slack,
            $"The {what} kept growing: the last third's mean {last:F0} against the middle third's {middle:F0} (samples: {string.Join(' ', samples)}).");
    }
}
