namespace Envoy;

/// <summary>Per-flow settings given to <c>AddFlow</c>.</summary>
public sealed class FlowOptions
{
    /// <summary>Overrides the scheduler's <c>MaxRetries</c> for jobs of this flow (0 = never retry).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>
    /// This flow's version, set by hand (1 to 200 characters, not only white space); null (the default) takes a stable hash of
    /// the flow's shape (its start state, state names and routes). Each job records the version it started with and runs only on
    /// schedulers that have that version; several versions of one flow may be registered at once, and new jobs take the one
    /// registered last. The same version registered again for another <see cref="StateFlow"/> object is refused
    /// (<see cref="FlowVersionConflictException"/>).
    /// </summary>
    public string? Version { get; set; }

    /// <summary>
    /// Overrides the scheduler's <see cref="SchedulerOptions.Retention"/> for finished jobs of this flow: null (default) uses
    /// the scheduler's, <see cref="Timeout.InfiniteTimeSpan"/> keeps this flow's jobs forever, any other value must be
    /// positive. Applied by the maintenance leader, which must have the flow registered with these options.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>
    /// The longest a job of this flow may exist unfinished, counted from its creation (null, the default: no limit). A job
    /// still pending, running or blocking after that is failed by the maintenance leader with an error saying so (its
    /// unfinished descendants are cancelled and its parent's wait resolves, as for any failure); a step that was running
    /// then has its commit refused. Must be positive.
    /// </summary>
    public TimeSpan? MaxJobAge { get; set; }

    /// <summary>
    /// At most this many jobs of this flow with one <see cref="ScheduleOptions.ConcurrencyKey"/> run at once, over every process
    /// on the store (null, the default: no limit; else at least 1). Jobs beyond it stay pending, in order (priority, run-at,
    /// age), and start as running ones finish, block or fail; they never fail for it. Jobs scheduled without a key share one
    /// slot set: the flow as a whole. A blocking job holds no slot; a killed worker's job keeps its slot until its lease
    /// expires and another worker takes it over. Each job keeps the limit of the flow version it was scheduled with.
    /// </summary>
    public int? ConcurrencyLimit { get; set; }

    /// <summary>
    /// At most <see cref="Envoy.RateLimit.Permits"/> step starts of this flow per <see cref="Envoy.RateLimit.Window"/>, over every
    /// process on the store (null, the default: no limit). Before each step of a job of this flow, the worker takes a permit
    /// from the permits its process reserved in the store in blocks (one store call per block, up to 256 permits, each block
    /// spendable for a short horizon only, so the limit stays exact); when none is left, the job goes back to pending until a
    /// permit frees (its retries are not counted and it does not fail), with <see cref="Job.WaitingReason"/> saying so. Needs a
    /// store that keeps rate limits (SQLite, PostgreSQL).
    /// </summary>
    public RateLimit? RateLimit { get; set; }

    /// <summary>Every problem with these settings for flow <paramref name="flow"/> (empty when valid).</summary>
    public IReadOnlyList<string> Validate(string flow)
    {
        var errors = new List<string>();
        if (MaxRetries is < 0)
        {
            errors.Add($"FlowOptions.MaxRetries of flow '{flow}' cannot be negative (was {MaxRetries}).");
        }

        if (Retention is { } retention && retention <= TimeSpan.Zero && retention != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"FlowOptions.Retention of flow '{flow}' must be positive, Timeout.InfiniteTimeSpan to keep its jobs forever, or null for the scheduler's (was {retention}).");
        }

        if (MaxJobAge is { } maxAge && maxAge <= TimeSpan.Zero)
        {
            errors.Add($"FlowOptions.MaxJobAge of flow '{flow}' must be positive, or null for no limit (was {maxAge}).");
        }

        if (ConcurrencyLimit is < 1)
        {
            errors.Add($"FlowOptions.ConcurrencyLimit of flow '{flow}' must be at least 1, or null for no limit (was {ConcurrencyLimit}).");
        }

        return errors;
    }

    /// <summary>A copy, so that later changes to this instance do not reach a running scheduler.</summary>
    public FlowOptions Clone() => (FlowOptions)MemberwiseClone();
}
