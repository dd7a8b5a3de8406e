namespace Envoy.Runtime.StateMachine;

public static partial class JobStateMachine
{
    /// <summary>
    /// Whether a pending job with a concurrency limit may become running (by a claim, or inserted running by an eager start):
    /// only while its (flow, key) runs fewer jobs than <paramref name="limit"/>. The store counts <paramref name="running"/>
    /// under the serialization that all of the scope's admissions share (SQLite: its write transaction; PostgreSQL: the
    /// scope's advisory lock, then a statement started after it was taken), so no two admissions both see the last free slot.
    /// </summary>
    public static bool HasFreeSlot(int running, int limit) => running < limit;
}
