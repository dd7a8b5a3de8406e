using Envoy.Runtime.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Storage.Conformance;

/// <summary>
/// The store's registry of live workers (issue 17, flow versions): every started scheduler registers itself with the (flow,
/// version) pairs it serves and renews that with a heartbeat; a clean stop removes it, a dead one drops out when its heartbeat
/// expires; "unserved" is measured against every live worker on the store, whichever process asks.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan WorkerLease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Workers_Save_ListsTheWorkerWithItsFlows_UntilItsHeartbeatExpires_AndALaterSaveDeletesExpiredRows()
    {
        var id = NewFlow("worker");
        var first = new WorkerRow { Id = id, Host = "host-a", ProcessId = 4242, StartedAtMs = T0, LastSeenAtMs = T0, UntilMs = T0 + Lease, Flows = [new FlowVersion("f", "1"), new FlowVersion("g", "h\"2")] };
        await Store.SaveWorkerAsync(first);

        var listed = Assert.Single(await Store.ListWorkersAsync(T0), w => w.Id == id);
        Assert.Equal(first with { Flows = listed.Flows }, listed);
        Assert.Equal(first.Flows, listed.Flows);
        Assert.DoesNotContain(await Store.ListWorkersAsync(T0 + Lease), w => w.Id == id); // its heartbeat expired

        // A heartbeat renews it (and may change its flows): live again until one lease after it.
        var beat = first with { LastSeenAtMs = T0 + Lease - 1, UntilMs = T0 + (2 * Lease) - 1, Flows = [new FlowVersion("f", "2")] };
        await Store.SaveWorkerAsync(beat);
        var renewed = Assert.Single(await Store.ListWorkersAsync(T0 + Lease), w => w.Id == id);
        Assert.Equal(T0 + Lease - 1, renewed.LastSeenAtMs);
        Assert.Equal(T0, renewed.StartedAtMs);
        Assert.Equal([new FlowVersion("f", "2")], renewed.Flows);

        // Another worker's heartbeat after the row expired deletes it (a dead worker leaves no row behind).
        var other = NewFlow("worker");
        await Store.SaveWorkerAsync(new WorkerRow { Id = other, Host = "host-b", ProcessId = 7, StartedAtMs = T0 + (3 * Lease), LastSeenAtMs = T0 + (3 * Lease), UntilMs = T0 + (4 * Lease), Flows = [] });
        var rows = await Store.ListWorkersAsync(T0);
        Assert.DoesNotContain(rows, w => w.Id == id);
        Assert.Empty(Assert.Single(rows, w => w.Id == other).Flows);
    }

    [Fact]
    public async Task Workers_Remove_DropsTheWorkerAtOnce()
    {
        var id = NewFlow("worker");
        await Store.SaveWorkerAsync(new WorkerRow { Id = id, Host = "h", ProcessId = 1, StartedAtMs = T0, LastSeenAtMs = T0, UntilMs = T0 + Lease, Flows = [new FlowVersion("f", "1")] });

        Assert.True(await Store.RemoveWorkerAsync(id));

        Assert.DoesNotContain(await Store.ListWorkersAsync(T0), w => w.Id == id);
        Assert.False(await Store.RemoveWorkerAsync(id));
    }

    [Fact]
    public async Task Workers_AStartedScheduler_RegistersRenewsWithItsHeartbeat_ExpiresForALaterClock_AndAStopRemovesIt()
    {
        var flow = NewFlow("served");
        var time = new FakeTimeProvider(At(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds())); // whole milliseconds, as stored
        var worker = DisposeAfterTest(new Scheduler(Store, new SchedulerOptions { LeaseDuration = WorkerLease }, time, ownsStore: false))
            .AddFlow(flow, Tagged("v1"), new FlowOptions { Version = "1" });
        var reader = NewScheduler(await SecondInstanceOrStoreAsync());
        await worker.StartAsync();

        var registered = Assert.Single(await ListWorkersAtAsync(worker, time.GetUtcNow()));
        Assert.Equal(Environment.MachineName, registered.Host);
        Assert.Equal(Environment.ProcessId, registered.ProcessId);
        Assert.Equal(time.GetUtcNow(), registered.StartedAt);
        Assert.Equal(time.GetUtcNow(), registered.LastSeenAt);
        Assert.Equal([new FlowVersion(flow, "1")], registered.Flows);
        Assert.Contains(await reader.ListWorkersAsync(), w => w.Id == worker.WorkerId);

        // A third of the lease later, its heartbeat renews it.
        time.Advance(WorkerLease / 3);
        var beat = time.GetUtcNow();
        await WaitUntilAsync(async () => (await ListWorkersAtAsync(worker, beat)).SingleOrDefault()?.LastSeenAt == beat, "the heartbeat renewed the worker");
        Assert.Equal(registered.StartedAt, Assert.Single(await ListWorkersAtAsync(worker, beat)).StartedAt);

        // For a clock a lease past its last heartbeat it is dead (a process that died renews no more); just before, alive.
        Assert.Single(await ListWorkersAtAsync(worker, beat + WorkerLease - TimeSpan.FromMilliseconds(1)));
        Assert.Empty(await ListWorkersAtAsync(worker, beat + WorkerLease));

        await worker.StopAsync();
        Assert.Empty(await ListWorkersAtAsync(worker, beat));
    }

    [Fact]
    public async Task Workers_Unserved_IsMeasuredAgainstEveryLiveWorker_TwoSchedulersWithDifferentVersions_AndAnApiOnlyScheduler()
    {
        var flow = NewFlow("versioned");
        var orphanFlow = NewFlow("orphan");
        var later = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + (365L * 24 * 3600 * 1000); // pending, never due here
        async Task<string> Create(string name, string? version)
        {
            var job = JobOf(name, runAt: later);
            return await Store.CreateJobAsync(version is null ? job : job with { FlowVersion = version });
        }

        var v1 = await Create(flow, "1");
        var v2 = await Create(flow, "2");
        var v3 = await Create(flow, "3");
        var unversioned = await Create(flow, null);
        var orphan = await Create(orphanFlow, null);
        var one = NewScheduler().AddFlow(flow, Tagged("v1"), new FlowOptions { Version = "1" });
        var two = NewScheduler(await SecondInstanceOrStoreAsync()).AddFlow(flow, Tagged("v2"), new FlowOptions { Version = "2" });
        var api = NewScheduler(await SecondInstanceOrStoreAsync()); // no flows, never started: an API-only process
        await one.StartAsync();
        await two.StartAsync();

        async Task<string[]> UnservedAsync(Scheduler scheduler) =>
            [.. (await scheduler.ListUnservedJobsAsync(10_000)).Where(j => j.Flow == flow || j.Flow == orphanFlow).Select(j => j.Id).Order(StringComparer.Ordinal)];
        string[] Sorted(params string[] ids) => [.. ids.Order(StringComparer.Ordinal)];

        // Each process gives the store-wide answer: v1 and v2 (and the job from before versions) have a live worker.
        Assert.Equal(Sorted(v3, orphan), await UnservedAsync(api));
        Assert.Equal(Sorted(v3, orphan), await UnservedAsync(one));
        Assert.Equal(Sorted(v3, orphan), await UnservedAsync(two));
        var workers = await api.ListWorkersAsync();
        Assert.Equal([new FlowVersion(flow, "1")], Assert.Single(workers, w => w.Id == one.WorkerId).Flows);
        Assert.Equal([new FlowVersion(flow, "2")], Assert.Single(workers, w => w.Id == two.WorkerId).Flows);

        // The v2 worker stops cleanly: its version is unserved at once; then the v1 worker: the whole flow is.
        await two.StopAsync();
        Assert.Equal(Sorted(v2, v3, orphan), await UnservedAsync(api));
        await one.StopAsync();
        Assert.Equal(Sorted(v1, v2, v3, unversioned, orphan), await UnservedAsync(api));
        Assert.DoesNotContain(await api.ListWorkersAsync(), w => w.Id == one.WorkerId || w.Id == two.WorkerId);
    }

    /// <summary>The registry's live rows of <paramref name="worker"/> for a reader whose clock says <paramref name="at"/>.</summary>
    private async Task<IReadOnlyList<WorkerInfo>> ListWorkersAtAsync(Scheduler worker, DateTimeOffset at)
    {
        var rows = await Store.ListWorkersAsync(at.ToUnixTimeMilliseconds());
        return [.. rows.Where(r => r.Id == worker.WorkerId).Select(r => new WorkerInfo(r.Id, r.Host, r.ProcessId, At(r.StartedAtMs), At(r.LastSeenAtMs), r.Flows))];
    }
}
