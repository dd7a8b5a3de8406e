using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.StateMachine;

/// <summary>
/// An in-memory <see cref="IJobTransaction"/> with the semantics of the stores' SQL (SqliteSql, PostgresSql), for testing the
/// state machine's rules alone. Every call is recorded in <see cref="Calls"/>.
/// </summary>
internal sealed class FakeJobTransaction : IJobTransaction
{
    public Dictionary<string, FakeJob> Jobs { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string JobId, string WaitId), FakeWait> Waits { get; } = [];

    public Dictionary<string, Escalation> Escalations { get; } = new(StringComparer.Ordinal);

    public List<JobEvent> Events { get; } = [];

    public List<string> Calls { get; } = [];

    public StoreEffects Effects { get; } = new();

    public FakeJob AddJob(string id, JobStatus status, string? parentId = null, string? parentWaitId = null, string flow = "f")
    {
        var job = new FakeJob { Status = status, ParentId = parentId, ParentWaitId = parentWaitId, Flow = flow };
        Jobs[id] = job;
        return job;
    }

    public FakeWait AddWait(string jobId, string waitId, string type, WaitResolutionKind status = WaitResolutionKind.Pending)
    {
        var wait = new FakeWait { Type = type, Status = status };
        Waits[(jobId, waitId)] = wait;
        return wait;
    }

    public void AddEscalation(string jobId, string waitId, EscalationStatus status)
    {
        AddWait(jobId, waitId, WaitTypes.Escalation);
        Escalations[waitId] = new Escalation(waitId, jobId, waitId, "user", "ok?", [], status, null, null, DateTimeOffset.UnixEpoch, null);
    }

    public ValueTask<LockedJob?> LockJobAsync(string jobId, CancellationToken cancellationToken)
    {
        Calls.Add($"lock job {jobId}");
        return new(Jobs.TryGetValue(jobId, out var job) ? new LockedJob(job.Status, job.ParentId, job.ParentWaitId) : null);
    }

    public ValueTask<Escalation?> LockEscalationAsync(string escalationId, CancellationToken cancellationToken)
    {
        Calls.Add($"lock escalation {escalationId}");
        return new(Escalations.GetValueOrDefault(escalationId));
    }

    public ValueTask<LockedWait?> LockJobWaitAsync(string jobId, string waitId, CancellationToken cancellationToken)
    {
        Calls.Add($"lock job {jobId} with wait {waitId}");
        if (!Jobs.TryGetValue(jobId, out var job))
        {
            return new((LockedWait?)null);
        }

        return new(new LockedWait(job.Status, Waits.TryGetValue((jobId, waitId), out var wait) ? new WaitState(wait.Status, wait.Type) { DueAtMs = wait.DueAtMs } : null));
    }

    public ValueTask WriteFinishedAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken)
    {
        Calls.Add($"finish {jobId}");
        Jobs[jobId].Status = status;
        Jobs[jobId].Error = error;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteRevivedAsync(string jobId, JobStatus status, long nowMs, CancellationToken cancellationToken)
    {
        Calls.Add($"revive {jobId}");
        if (Jobs[jobId].Status is JobStatus.Failed or JobStatus.Cancelled)
        {
            Jobs[jobId].Status = status;
            Jobs[jobId].Error = null;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AppendEventAsync(JobEvent entry, CancellationToken cancellationToken)
    {
        Calls.Add($"event {entry.JobId} {entry.Kind}");
        Events.Add(entry);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteEscalationReplyAsync(EscalationReply reply, CancellationToken cancellationToken)
    {
        Calls.Add($"answer {reply.EscalationId}");
        if (Escalations[reply.EscalationId].Status == EscalationStatus.Pending)
        {
            Escalations[reply.EscalationId] = Escalations[reply.EscalationId] with { Status = reply.Status, RepliedBy = reply.RepliedBy };
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteWaitResolutionAsync(WaitResolution resolution, CancellationToken cancellationToken)
    {
        Calls.Add($"resolve {resolution.JobId}/{resolution.WaitId}");
        var wait = Waits[(resolution.JobId, resolution.WaitId)];
        if (wait.Status == WaitResolutionKind.Pending)
        {
            wait.Status = resolution.Kind;
            wait.Output = resolution.OutputJson;
            wait.Error = resolution.Error;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> UnblockAsync(string jobId, long nowMs, CancellationToken cancellationToken)
    {
        Calls.Add($"unblock {jobId}");
        var job = Jobs[jobId];
        if (job.Status != JobStatus.Blocking || HasPendingWait(jobId))
        {
            return new(false);
        }

        job.Status = JobStatus.Pending;
        return new(true);
    }

    public ValueTask<IReadOnlyList<CascadedJob>> CancelDescendantsAsync(string rootJobId, string error, long nowMs, CancellationToken cancellationToken)
    {
        Calls.Add($"cancel descendants {rootJobId}");
        var cancelled = new List<CascadedJob>();
        var level = new List<string> { rootJobId };
        while (level.Count > 0)
        {
            var next = Jobs.Where(j => j.Value.ParentId is { } parent && level.Contains(parent)).Select(j => j.Key).ToList();
            foreach (var id in next)
            {
                if (Jobs[id].Status is JobStatus.Pending or JobStatus.Running or JobStatus.Blocking)
                {
                    Jobs[id].Status = JobStatus.Cancelled;
                    Jobs[id].Error = error;
                    cancelled.Add(new CascadedJob(id, Jobs[id].Flow));
                }
            }

            level = next;
        }

        return new(cancelled);
    }

    public ValueTask CancelEscalationsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        Calls.Add($"cancel escalations {string.Join(',', jobIds)}");
        foreach (var (id, escalation) in Escalations.ToList())
        {
            if (escalation.Status == EscalationStatus.Pending && jobIds.Contains(escalation.JobId) && Waits[(escalation.JobId, escalation.WaitId)].Status == WaitResolutionKind.Pending)
            {
                Escalations[id] = escalation with { Status = EscalationStatus.Cancelled };
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReviveEscalationsAsync(string jobId, CancellationToken cancellationToken)
    {
        Calls.Add($"revive escalations {jobId}");
        foreach (var (id, escalation) in Escalations.ToList())
        {
            if (escalation.JobId == jobId && escalation.Status is EscalationStatus.Cancelled or EscalationStatus.Expired && Waits[(jobId, escalation.WaitId)].Status == WaitResolutionKind.Pending)
            {
                Escalations[id] = escalation with { Status = EscalationStatus.Pending };
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ChildJob>> ChildrenOfPendingWaitsAsync(string jobId, CancellationToken cancellationToken)
    {
        Calls.Add($"children {jobId}");
        IReadOnlyList<ChildJob> children =
        [
            .. Jobs.Where(j => j.Value.ParentId == jobId && j.Value.ParentWaitId is { } waitId
                    && Waits.TryGetValue((jobId, waitId), out var wait) && wait.Status == WaitResolutionKind.Pending && wait.Type == WaitTypes.Spawn)
                .Select(j => new ChildJob(j.Key, j.Value.Status)),
        ];
        return new(children);
    }

    public ValueTask<bool> HasPendingWaitAsync(string jobId, CancellationToken cancellationToken)
    {
        Calls.Add($"has pending wait {jobId}");
        return new(HasPendingWait(jobId));
    }

    private bool HasPendingWait(string jobId) => Waits.Any(w => w.Key.JobId == jobId && w.Value.Status == WaitResolutionKind.Pending);

    internal sealed class FakeJob
    {
        public JobStatus Status { get; set; }

        public string? ParentId { get; init; }

        public string? ParentWaitId { get; init; }

        public string Flow { get; init; } = "f";

        public string? Error { get; set; }
    }

    internal sealed class FakeWait
    {
        public required string Type { get; init; }

        public WaitResolutionKind Status { get; set; }

        public string? Output { get; set; }

        public string? Error { get; set; }

        public long? DueAtMs { get; set; }
    }
}
