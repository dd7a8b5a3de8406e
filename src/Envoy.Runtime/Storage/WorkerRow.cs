namespace Envoy.Runtime.Storage;

/// <summary>A live worker as stored (table <c>workers</c>, <see cref="IWorkerRegistryStore"/>). Times are Unix milliseconds.</summary>
public sealed record WorkerRow
{
    /// <summary>The worker's id (<c>Scheduler.WorkerId</c>, the owner of its leases).</summary>
    public required string Id { get; init; }

    /// <summary>The machine it runs on.</summary>
    public required string Host { get; init; }

    /// <summary>Its operating system process id.</summary>
    public int ProcessId { get; init; }

    /// <summary>When it started.</summary>
    public long StartedAtMs { get; init; }

    /// <summary>Its latest heartbeat.</summary>
    public long LastSeenAtMs { get; init; }

    /// <summary>When it drops out unless it renews (its heartbeat plus the lease duration).</summary>
    public long UntilMs { get; init; }

    /// <summary>The (flow, version) pairs it serves (stored as JSON, <see cref="WorkerFlowsJson"/>).</summary>
    public required IReadOnlyList<FlowVersion> Flows { get; init; }
}
