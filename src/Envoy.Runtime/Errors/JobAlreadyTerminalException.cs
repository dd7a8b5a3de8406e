namespace Envoy;

/// <summary>The job is already done, failed or cancelled, so it cannot be cancelled, failed or resolved; nothing changed.</summary>
public class JobAlreadyTerminalException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public JobAlreadyTerminalException()
        : this(string.Empty, JobStatus.Done)
    {
    }

    /// <summary>Creates the error for a job and its terminal status.</summary>
    public JobAlreadyTerminalException(string jobId, JobStatus status)
        : base($"Job '{jobId}' is already {status.ToString().ToLowerInvariant()}.")
    {
        JobId = jobId;
        Status = status;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public JobAlreadyTerminalException(string message, Exception? innerException)
        : base(message, innerException)
    {
        JobId = string.Empty;
    }

    /// <summary>The job.</summary>
    public string JobId { get; }

    /// <summary>Its terminal status.</summary>
    public JobStatus Status { get; }
}
