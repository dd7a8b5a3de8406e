namespace Envoy.AspNetCore.Json;

/// <summary>
/// A live worker as the API writes it: <c>{ id, host, processId, startedAt, lastSeenAt, flows: [{ name, version }] }</c>
/// (<see cref="Scheduler.ListWorkersAsync"/>). Times are UTC <see cref="DateTime"/>s, written as ISO 8601 with <c>Z</c>.
/// </summary>
public sealed record WorkerJson
{
    /// <summary>The worker's id (the owner of its leases).</summary>
    public required string Id { get; init; }

    /// <summary>The machine it runs on.</summary>
    public required string Host { get; init; }

    /// <summary>Its operating system process id.</summary>
    public int ProcessId { get; init; }

    /// <summary>When it started.</summary>
    public DateTime StartedAt { get; init; }

    /// <summary>Its latest heartbeat.</summary>
    public DateTime LastSeenAt { get; init; }

    /// <summary>The (flow, version) pairs it serves.</summary>
    public required IReadOnlyList<WorkerFlowJson> Flows { get; init; }

    /// <summary>The JSON of <paramref name="worker"/>.</summary>
    public static WorkerJson From(WorkerInfo worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new()
        {
            Id = worker.Id,
            Host = worker.Host,
            ProcessId = worker.ProcessId,
            StartedAt = worker.StartedAt.UtcDateTime,
            LastSeenAt = worker.LastSeenAt.UtcDateTime,
            Flows = [.. worker.Flows.Select(f => new WorkerFlowJson(f.Flow, f.Version))],
        };
    }
}
