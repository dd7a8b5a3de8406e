using Envoy.Runtime.Execution;

namespace Envoy;

public sealed partial class Scheduler
{
    /// <summary>
    /// The live workers on this store, from its registry: every started scheduler (in any process) registers itself when it
    /// starts, with the (flow, version) pairs it serves, renews its row every third of its
    /// <see cref="SchedulerOptions.LeaseDuration"/>, and removes it on a clean stop; one that died drops out once its last
    /// heartbeat is a lease duration old. By start time, then id. A flow added to a started scheduler shows at its next heartbeat.
    /// </summary>
    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default) =>
        LiveWorkers.ListAsync(_services, cancellationToken);

    /// <summary>
    /// Pending jobs that no live worker on this store serves, newest first: jobs whose flow, or whose (flow, version) pair
    /// (<see cref="Job.FlowVersion"/>), no live worker has (<see cref="ListWorkersAsync"/>; a job from before versions needs only
    /// its flow). No worker claims them; they wait until a process that has their flow and version starts (for example the
    /// jobs of an old version after every process of a rolling deploy runs the new one). The answer is the same in every process
    /// on the store, an API-only one (no flows, not started) included; a started scheduler counts its own flows as served.
    /// The maintenance leader also logs a warning (once per flow and version while they stay unserved) when such jobs have
    /// waited over a minute. With no live worker, every pending job is listed.
    /// </summary>
    public async Task<IReadOnlyList<Job>> ListUnservedJobsAsync(int limit = JobQuery.DefaultLimit, CancellationToken cancellationToken = default)
    {
        var served = await LiveWorkers.ServedAsync(_services, IsRunning, cancellationToken).ConfigureAwait(false);
        return await ListJobsAsync(new JobQuery { Status = JobStatus.Pending, ExcludeFlowVersions = served, Limit = limit }, cancellationToken).ConfigureAwait(false);
    }
}
