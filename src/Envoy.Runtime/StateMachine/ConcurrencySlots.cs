namespace Envoy.Runtime.StateMachine;

/// <summary>
/// The slots in use of the concurrency scopes (flow, key) that one claim meets, each counted once, when the claim first meets
/// it, under the serialization that all of the scope's admissions share (see <see cref="JobStateMachine.HasFreeSlot"/>), then
/// kept up to date by the claim's own admissions. A store's claim walks the pending limited jobs in claim order and asks
/// <see cref="TryAdmit"/> for each: admitted jobs become running; a job of a full scope is parked (kept out of the claim order,
/// per scope, until a slot of its scope frees).
/// </summary>
public sealed class ConcurrencySlots
{
    private readonly Func<string, string, int> _countRunning;
    private readonly Dictionary<(string Flow, string Key), int> _inUse = [];

    /// <summary>Creates the slots of one claim; <paramref name="countRunning"/> counts a scope's running jobs in the store.</summary>
    public ConcurrencySlots(Func<string, string, int> countRunning)
    {
        ArgumentNullException.ThrowIfNull(countRunning);
        _countRunning = countRunning;
    }

    /// <summary>How many scopes the claim has counted (each one store count).</summary>
    public int ScopesCounted => _inUse.Count;

    /// <summary>The free slots of the scope for a job with <paramref name="limit"/>: never below zero.</summary>
    public int Free(string flow, string key, int limit) => Math.Max(0, limit - InUse(flow, key));

    /// <summary>
    /// Admits the next pending job of the scope: true, and its slot is taken, while the scope runs fewer jobs than the job's
    /// <paramref name="limit"/>; false when the scope is full.
    /// </summary>
    public bool TryAdmit(string flow, string key, int limit)
    {
        var inUse = InUse(flow, key);
        if (!JobStateMachine.HasFreeSlot(inUse, limit))
        {
            return false;
        }

        _inUse[(flow, key)] = inUse + 1;
        return true;
    }

    /// <summary>Records <paramref name="count"/> jobs of the scope admitted at once (at most <see cref="Free"/>).</summary>
    public void Admitted(string flow, string key, int count) => _inUse[(flow, key)] = InUse(flow, key) + count;

    private int InUse(string flow, string key)
    {
        if (!_inUse.TryGetValue((flow, key), out var inUse))
        {
            inUse = _countRunning(flow, key);
            _inUse[(flow, key)] = inUse;
        }

        return inUse;
    }
}
