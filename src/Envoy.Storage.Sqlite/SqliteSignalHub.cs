using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// One set of in-process signals (and one in-process event transport) per database file, shared by every store of this
/// process that opens it.
/// </summary>
internal static class SqliteSignalHub
{
    private static readonly ConcurrentDictionary<string, InProcessSignals> Hubs = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, InProcessEventTransport> EventHubs = new(StringComparer.Ordinal);

    public static InProcessSignals For(string fullPath) => Hubs.GetOrAdd(fullPath, static _ => new InProcessSignals());

    public static InProcessEventTransport EventsFor(string fullPath) => EventHubs.GetOrAdd(fullPath, static _ => new InProcessEventTransport());
}
