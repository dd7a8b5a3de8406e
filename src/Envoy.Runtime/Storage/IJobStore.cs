namespace Envoy.Runtime.Storage;

/// <summary>
/// The store: where jobs, waits, escalations and history live; what a store implements. It is its ports together, the
/// write port (<see cref="IJobWriteStore"/>), the query port (<see cref="IJobQueryStore"/>) and the coordination port
/// (<see cref="IJobCoordinationStore"/>), the registry of live workers (<see cref="IWorkerRegistryStore"/>), plus its lifecycle; each part of the runtime depends on the narrowest port it needs.
/// Every method is one transaction. Each implementation runs the store conformance suite.
/// </summary>
public interface IJobStore : IJobWriteStore, IJobQueryStore, IJobCoordinationStore, IWorkerRegistryStore, IAsyncDisposable
{
    /// <summary>A short description for logs and errors (for example <c>sqlite:/data/envoy.db</c>).</summary>
    string Description { get; }

    /// <summary>Creates or migrates the schema; safe to call from several processes.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);
}
