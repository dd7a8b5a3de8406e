namespace Envoy;

/// <summary>Filters and paging for <c>ListJobsAsync</c>; newest first.</summary>
public sealed class JobQuery
{
    /// <summary>The default page size.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Only jobs with this status.</summary>
    public JobStatus? Status { get; init; }

    /// <summary>Only jobs of this flow.</summary>
    public string? Flow { get; init; }

    /// <summary>
    /// Only jobs whose flow is none of these (for example the flows a scheduler serves, to find the jobs it never runs:
    /// <c>ListUnservedJobsAsync</c>). Null or empty: no such filter.
    /// </summary>
    public IReadOnlyCollection<string>? ExcludeFlows { get; init; }

    /// <summary>Only children of this job.</summary>
    public string? ParentId { get; init; }

    /// <summary>Only jobs created at or after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only jobs created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only jobs where this text is a case-insensitive substring of the id, flow, error, scheduled input or output JSON text.</summary>
    public string? Search { get; init; }

    /// <summary>How many matching jobs to skip.</summary>
    public int Offset { get; init; }

    /// <summary>The most jobs to return (default 100, at most 10,000).</summary>
    public int Limit { get; init; } = DefaultLimit;

    internal void Validate()
    {
        if (Offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Offset), Offset, "Offset cannot be negative.");
        }

        if (Limit is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "Limit must be between 1 and 10,000.");
        }
    }
}
