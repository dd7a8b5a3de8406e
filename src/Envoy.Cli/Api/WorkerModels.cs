namespace Envoy.Cli.Api;

/// <summary>A live worker (<c>GET /api/workers</c>).</summary>
internal sealed record WorkerView(string Id, string Host, int ProcessId, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, List<WorkerFlowView> Flows);

/// <summary>One (flow, version) pair a worker serves.</summary>
internal sealed record WorkerFlowView(string Name, string Version);
