using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Signals_CreateAndRetryAndUnblock_SayReady()
    {
        var flow = NewFlow();
        using var recorder = new SignalRecorder(Store.Signals);

        await CreateAsync(flow);
        await recorder.WaitForAsync(s => s.Kind is JobSignalKind.Ready or JobSignalKind.Changed, "a created job is announced");

        var blocked = await BlockAsync(NewFlow(), ["hook"]);
        recorder.Clear();
        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, null, null, T0 + 10));
        await recorder.WaitForAsync(s => s.Kind is JobSignalKind.Ready or JobSignalKind.Changed, "an unblocked job is announced");

        var failedFlow = NewFlow();
        var failed = await CreateAsync(failedFlow);
        await FinishByCommitAsync(failedFlow, failed, JobStatus.Failed);
        recorder.Clear();
        await Store.RetryJobAsync(failed, T0 + 200);
        await recorder.WaitForAsync(s => s.Kind is JobSignalKind.Ready or JobSignalKind.Changed, "a retried job is announced");
    }

    [Fact]
    public async Task Signals_TerminalCommitAndFinishJob_SayFinishedForEachJob()
    {
        var flow = NewFlow();
        using var recorder = new SignalRecorder(Store.Signals);
        var done = await CreateAsync(flow);

        await FinishByCommitAsync(flow, done, JobStatus.Done);
        await recorder.WaitForAsync(s => s is { Kind: JobSignalKind.Finished } && s.JobId == done, "a done job is announced");

        var (parent, children) = await SpawnAsync(NewFlow("parent"), NewFlow("child"), 2);
        await Store.FinishJobAsync(parent, JobStatus.Cancelled, "cancelled", T0 + 300);
        await recorder.WaitForAsync(s => s is { Kind: JobSignalKind.Finished } && s.JobId == parent, "a cancelled job is announced");
        foreach (var (_, child) in children)
        {
            await recorder.WaitForAsync(s => s is { Kind: JobSignalKind.Finished } && s.JobId == child, "a cancelled descendant is announced");
        }
    }

    /// <summary>Records the signals a store raises.</summary>
    protected sealed class SignalRecorder : IDisposable
    {
        private readonly ConcurrentQueue<JobSignal> _signals = new();
        private readonly IDisposable _subscription;

        public SignalRecorder(IJobSignals signals) => _subscription = signals.Subscribe(_signals.Enqueue);

        public void Clear() => _signals.Clear();

        public bool Saw(Func<JobSignal, bool> match) => _signals.Any(match);

        public int Count(Func<JobSignal, bool> match) => _signals.Count(match);

        public Task WaitForAsync(Func<JobSignal, bool> match, string because) =>
            EventuallyAsync(() => Task.FromResult(_signals.Any(match)), because, TimeSpan.FromSeconds(5));

        public void Dispose() => _subscription.Dispose();
    }
}
