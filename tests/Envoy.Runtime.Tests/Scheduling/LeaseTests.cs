using Microsoft.Data.Sqlite;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// Leases of a second or two, run alone. A lease must outlast the worst stall of the process: on a loaded two-core machine a
/// renewal was measured starting up to 0.8 s late (load average 28), so these tests give the renewals 1.3 s of slack (a 2 s
/// lease renewed every 0.67 s) rather than the 0.33 s of a 500 ms lease, which lost jobs to takeover on a cold, busy process.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class LeaseTests : SchedulerTestBase
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StepTime = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task StepLongerThanTheLease_IsNotStartedTwice()
    {
        var runs = 0;
        StateFlow Slow() => OneState(async ctx =>
        {
            Interlocked.Increment(ref runs);
            await Task.Delay(StepTime, ctx.CancellationToken);
            return ctx.Output("slow");
        });
        void Short(SchedulerConfig c)
        {
            c.LeaseDuration = Lease;
            c.PollInterval = TimeSpan.FromMilliseconds(50);
        }

        var first = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);
        var second = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);

        var ids = new[] { await first.ScheduleAsync("slow"), await second.ScheduleAsync("slow") };
        var jobs = await Task.WhenAll(ids.Select(id => first.WaitForJobAsync(id, Timeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        Assert.Equal(2, Volatile.Read(ref runs));
        foreach (var id in ids)
        {
            var history = await first.GetJobHistoryAsync(id);
            Assert.Single(history, e => e.Kind == JobEventKind.Claimed);
            Assert.True(Assert.Single(history, e => e.Kind == JobEventKind.StepCompleted).Duration >= StepTime - TimeSpan.FromMilliseconds(50), "The step must outlive its lease (more than twice over).");
        }
    }

    [Fact]
    public async Task GracefulStop_KeepsRenewingTheLeaseOfAStepThatIsFinishing()
    {
        var runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StateFlow Slow() => OneState(async ctx =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            await Task.Delay(StepTime, ctx.CancellationToken);
            return ctx.Output("finished while stopping");
        });
        void Short(SchedulerConfig c)
        {
            c.LeaseDuration = Lease;
            c.PollInterval = TimeSpan.FromMilliseconds(50);
        }

        var stopping = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);
        var id = await stopping.ScheduleAsync("slow");
        await started.Task.WaitAsync(Timeout);
        var other = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);

        using var deadline = new CancellationTokenSource(Timeout);
        await stopping.StopAsync(deadline.Token);

        var job = await other.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("finished while stopping", job.Context.Output<string>());
        Assert.Equal(1, job.Attempts);
        Assert.Equal(1, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task Renewals_GoOnWhileEveryThreadPoolThreadIsBlocked()
    {
        // Handlers (or anything else in the process) that block pool threads must not starve the renewals: they run on a thread
        // of their own. Here the pool is flooded with blocked work items while a step runs; its lease must still move on.
        var lease = TimeSpan.FromSeconds(1);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("held", OneState(async ctx =>
            {
                started.TrySetResult();
                await finish.Task.WaitAsync(ctx.CancellationToken);
                return ctx.Output("held");
            })),
            c => c.LeaseDuration = lease);
        var id = await scheduler.ScheduleAsync("held");
        await started.Task.WaitAsync(Timeout);

        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT lease_until FROM jobs WHERE id = $id";
        read.Parameters.AddWithValue("$id", id);
        long LeaseUntil() => (long)read.ExecuteScalar()!;

        using var unblock = new ManualResetEventSlim();
        var blocked = 0;
        var renewed = false;
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        try
        {
            var before = LeaseUntil();
            // The pool may add no thread, and every one it has blocks: nothing queued to it runs until the end of the test.
            Assert.True(ThreadPool.SetMaxThreads(Math.Max(Environment.ProcessorCount, ThreadPool.ThreadCount), maxIo));
            for (var i = 0; i < 500; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(
                    _ =>
                    {
                        Interlocked.Increment(ref blocked);
                        unblock.Wait();
                    },
                    null);
            }

            // Polled on this thread with blocking waits (an awaited delay needs a pool thread): two leases' worth of renewals.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < Timeout && !renewed)
            {
                renewed = LeaseUntil() >= before + (2 * (long)lease.TotalMilliseconds);
                unblock.Wait(TimeSpan.FromMilliseconds(20));
            }
        }
        finally
        {
            ThreadPool.SetMaxThreads(maxWorkers, maxIo);
            unblock.Set();
            finish.TrySetResult();
        }

        Assert.True(Volatile.Read(ref blocked) > 0, "The pool must have been blocked.");
        Assert.True(renewed, "The lease must be renewed while the thread pool is blocked.");
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(1, job.Attempts);
    }
}
