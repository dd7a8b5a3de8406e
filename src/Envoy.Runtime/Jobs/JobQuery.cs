namespace Envoy;

/// <summary>Filters and paging for <c>ListJobsAsync</c>; newest first.</summary>
public sealed class JobQuery
{
    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The longest <see cref="Search"/> term, in characters.</summary>
    public const int MaxSearchLength = 200;

    /// <summary>Only jobs with this status.</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Only jobs of this flow.</summary>
    public string? Flow { get; init; }

    /// <summary>
    /// Only jobs whose flow is none of these (for example the flows a scheduler serves, to find the jobs it never runs:
    /// <c>ListUnservedJobsAsync</c>). Null or empty: no such filter.
    /// </summary>
    public IReadOnlyCollection<string>? ExcludeFlows { get; init; }

    /// <summary>
    /// Only jobs whose (flow, version) pair is none of these (for example the versions a scheduler has, to find the jobs it
    /// never runs: <c>ListUnservedJobsAsync</c>). A job with no recorded version (<see cref="Job.FlowVersion"/> null, made
    /// before versions) is left out when its flow is among the pairs (any version runs it). Null or empty: no such filter.
    /// </summary>
    public IReadOnlyCollection<FlowVersion>? ExcludeFlowVersions { get; init; }

    /// <summary>Only children of this job.</summary>
    public string? ParentId { get; init; }

    /// <summary>Only jobs created at or after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only jobs created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>
    /// Only jobs where this text occurs, ignoring case, in the id, the flow, the error, the scheduled input's JSON text
    /// (<see cref="Job.Input"/>) or the current output's JSON text (<c>Context.Output()</c>). Every character is literal
    /// (<c>%</c>, <c>_</c> and <c>\</c> included), and the term travels as a parameter, never as SQL. Null or empty: no such
    /// filter. At most <see cref="MaxSearchLength"/> characters (a longer term is refused, not cut). Case folding follows
    /// the store: PostgreSQL folds every letter by the database's locale (<c>ILIKE</c>), SQLite folds ASCII letters only
    /// (<c>LIKE</c>). JSON text is matched as the store holds it: PostgreSQL writes <c>jsonb</c> with a space after each
    /// <c>:</c> and <c>,</c>, so search for words and values rather than for a fragment of JSON punctuation.
    /// </summary>
    /// <remarks>
    /// A search reads the newest jobs first and stops once it has a page: a term that many jobs match is as quick as an
    /// unfiltered page; a term that matches few or no jobs reads every job the other filters leave (the whole table, at
    /// worst). PostgreSQL stops such a search after its search timeout (<c>PostgresConfig.SearchTimeout</c>, default
    /// 1 s) and <c>ListJobsAsync</c> throws <see cref="SearchTimeoutException"/>. A term that is a whole job id (a UUID) of a
    /// job that passes the other filters lists that job alone, found by a direct lookup (other jobs that merely mention the id
    /// are not listed then); an id of no job is searched for as text.
    /// </remarks>
    public string? Search { get; init; }

    /// <summary>How many matching jobs to skip.</summary>
    public int Offset { get; init; }

    /// <summary>The most jobs to return (default 100, at most 10,000).</summary>
    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Checks every field; stores call it before they query.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Offset"/> or <see cref="Limit"/> is out of range.</exception>
    /// <exception cref="ArgumentException">
    /// <see cref="Search"/> is longer than <see cref="MaxSearchLength"/>, or a text field holds U+0000 (no store accepts it).
    /// </exception>
    public void Validate()
    {
        if (Search is { Length: > MaxSearchLength })
        {
            throw new ArgumentException($"Search must be at most {MaxSearchLength} characters (it has {Search.Length}).", nameof(Search));
        }

        ThrowIfNul(Search, nameof(Search));
        ThrowIfNul(Flow, nameof(Flow));
        ThrowIfNul(ParentId, nameof(ParentId));
        foreach (var flow in ExcludeFlows ?? [])
        {
            ThrowIfNul(flow, nameof(ExcludeFlows));
        }

        foreach (var pair in ExcludeFlowVersions ?? [])
        {
            ArgumentNullException.ThrowIfNull(pair, nameof(ExcludeFlowVersions));
            ThrowIfNul(pair.Flow, nameof(ExcludeFlowVersions));
            ThrowIfNul(pair.Version, nameof(ExcludeFlowVersions));
        }

        if (Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "Offset cannot be negative.");
        }

        if (Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "Limit must be between 1 and 10,000.");
        }
    }

    private static void ThrowIfNul(string? value, string name)
    {
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} cannot hold the character U+0000.", name);
        }
    }
}
