namespace Envoy.Runtime.Storage;

/// <summary>The result of a store operation.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Status">The job's status where relevant.</param>
/// <param name="JobId">The job concerned where relevant.</param>
/// <param name="EscalationStatus">The escalation's status where relevant.</param>
/// <param name="WaitType">The wait's type where relevant (<see cref="StoreOutcome.WaitTypeMismatch"/>).</param>
public readonly record struct StoreResult(StoreOutcome Outcome, JobStatus? Status = null, string? JobId = null, EscalationStatus? EscalationStatus = null, string? WaitType = null)
{
    /// <summary>Success.</summary>
    public static StoreResult Ok { get; } = new(StoreOutcome.Ok);

    /// <summary>
    /// The descendants this operation cancelled because their ancestor ended (<see cref="IJobWriteStore.FinishJobAsync"/>), so
    /// that the scheduler raises a <c>JobFinishedEvent</c> for each; null when none.
    /// </summary>
    public IReadOnlyList<CascadedJob>? Cascaded { get; init; }
}
