namespace Envoy;

/// <summary>
/// A job list with a <see cref="JobQuery.Search"/> term was stopped by the store after its search timeout (PostgreSQL:
/// <c>PostgresConfig.SearchTimeout</c>): the term matches too few of the jobs the other filters leave, so the search
/// would read most of them. Narrow it with a status, a flow or a creation-time range, or search for a whole job id (a direct
/// lookup). Nothing changed.
/// </summary>
public class SearchTimeoutException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public SearchTimeoutException()
        : this(string.Empty, TimeSpan.Zero)
    {
    }

    /// <summary>Creates the error for a search term stopped after <paramref name="timeout"/>.</summary>
    public SearchTimeoutException(string search, TimeSpan timeout)
        : this(search, timeout, null)
    {
    }

    /// <summary>Creates the error for a search term stopped after <paramref name="timeout"/>, with the store's error.</summary>
    public SearchTimeoutException(string search, TimeSpan timeout, Exception? innerException)
        : base(
            $"The search for '{search}' was stopped after {timeout.TotalMilliseconds:0} ms: it matches too few jobs to find a page quickly. "
            + "Narrow it with status, flow or a creation-time range, or search for a whole job id.",
            innerException)
    {
        Search = search;
        Timeout = timeout;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public SearchTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Search = string.Empty;
    }

    /// <summary>The search term.</summary>
    public string Search { get; }

    /// <summary>The store's search timeout.</summary>
    public TimeSpan Timeout { get; }
}
