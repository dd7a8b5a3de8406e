namespace Envoy;

/// <summary>No job has this id.</summary>
public class JobNotFoundException : EnvoyException
{
    /// <summary>Creates the error with no id.</summary>
    public JobNotFoundException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the error for a job id.</summary>
    public JobNotFoundException(string jobId)
        : base($"Job '{jobId}' was not found.")
    {
        JobId = jobId;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public JobNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        JobId = string.Empty;
    }

    /// <summary>The unknown job id.</summary>
    public string JobId { get; }
}
