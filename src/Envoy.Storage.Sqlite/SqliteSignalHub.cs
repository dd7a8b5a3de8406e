using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// One set of in-process signals and one maintenance leader lock per database file, shared by every store of this process
/// that opens it.
/// </summary>
internal static class SqliteSignalHub
{
    private static readonly ConcurrentDictionary<string, InProcessSignals> Hubs = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, LocalLeaderGroup> Leaders = new(StringComparer.Ordinal);

    public static InProcessSignals For(string fullPath) => Hubs.GetOrAdd(fullPath, static _ => new InProcessSignals());

    public static LocalLeaderGroup LeadersOf(string fullPath) => Leaders.GetOrAdd(fullPath, static _ => new LocalLeaderGroup());
}
