using System.Collections.Concurrent;
using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// The store-wide event feed across real processes: a worker process (tests/Envoy.PgWorker) runs jobs, and this process, which
/// runs nothing, sees their events through PostgreSQL (<c>NOTIFY envoy_events</c>).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class StoreEventsTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task StoreEvents_JobsRunByAWorkerProcess_ReachThisProcess()
    {
        const int Jobs = 20;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        await using var listener = await Scheduler.InitAsync(new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = cluster.ConnectionString } }, ct);
        var events = new ConcurrentQueue<SchedulerEvent>();
        var finished = new ConcurrentDictionary<string, bool>();
        var allFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(
            async () =>
            {
                await foreach (var e in listener.ReadStoreEventsAsync(stop.Token))
                {
                    events.Enqueue(e);
                    if (e is JobFinishedEvent f && finished.TryAdd(f.JobId, true) && finished.Count == Jobs)
                    {
                        allFinished.TrySetResult();
                    }
                }
            },
            ct);

        // Announced before the worker starts: its first look for listeners finds this one.
        var transport = listener.Store.EventTransport!;
        while (!await transport.HasListenersAsync(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), ct))
        {
            await Task.Delay(20, ct);
        }

        var worker = await cluster.StartWorkerAsync(ct, "--flow", "chain", "--concurrency", "4", "--work-ms", "0", "--schedule", N(Jobs));
        cluster.Log($"worker {worker.Id} runs {Jobs} jobs");
        await allFinished.Task.WaitAsync(ct);
        cluster.Log($"{Jobs} jobs finished, {events.Count} events received");

        var byJob = events.Where(e => e.JobId.Length > 0).GroupBy(e => e.JobId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Jobs, byJob.Count);
        Assert.All(byJob.Values, list =>
        {
            Assert.Equal(["A", "B", "C"], list.OfType<StepStartedEvent>().Select(e => e.State));
            Assert.Equal([JobStatus.Running, JobStatus.Running, JobStatus.Done], list.OfType<StepCompletedEvent>().Select(e => e.Status));
            var end = Assert.Single(list.OfType<JobFinishedEvent>());
            Assert.Equal((JobStatus.Done, "chain"), (end.Status, end.Flow));
        });
        Assert.DoesNotContain(events, e => e is EventsDroppedEvent);
        await stop.CancelAsync();
        await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }
}
