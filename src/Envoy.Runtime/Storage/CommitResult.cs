namespace Envoy.Runtime.Storage;

/// <summary>
/// What a store did with one step commit (<see cref="IJobWriteStore.CommitStepsAsync"/>): applied; not applied because the job's
/// version or lease moved on (stale); or refused by the store for its data (<see cref="RefusedReason"/>, the store's message),
/// which affects that commit alone: the others of its batch are applied as usual.
/// </summary>
public readonly record struct CommitResult
{
    private CommitResult(bool applied, string? refusedReason)
    {
        Applied = applied;
        RefusedReason = refusedReason;
    }

    /// <summary>The commit was applied.</summary>
    public static CommitResult Ok { get; } = new(true, null);

    /// <summary>The commit was not applied: the job's version or lease holder is no longer the commit's.</summary>
    public static CommitResult Stale { get; } = new(false, null);

    /// <summary>True when the commit was applied.</summary>
    public bool Applied { get; }

    /// <summary>Why the store refused the commit's data (nothing of it was written), or null.</summary>
    public string? RefusedReason { get; }

    /// <summary>
    /// The descendants this commit cancelled because it ended its job (failed or cancelled), each a job that finished too;
    /// null when none.
    /// </summary>
    public IReadOnlyList<CascadedJob>? Cascaded { get; init; }

    /// <summary>True when the store refused the commit's data.</summary>
    public bool IsRefused => RefusedReason is not null;

    /// <summary>A commit the store refused for its data, with the store's reason.</summary>
    public static CommitResult Refused(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(false, reason);
    }
}
