namespace Envoy;

/// <summary>A wait id that the job (or context) does not have.</summary>
public class WaitNotFoundException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public WaitNotFoundException()
        : this(null, string.Empty)
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public WaitNotFoundException(string message)
        : base(message)
    {
        WaitId = string.Empty;
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public WaitNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        WaitId = string.Empty;
    }

    /// <summary>Creates the error for a wait id of a job (the job id is null in an in-process run).</summary>
    public WaitNotFoundException(string? jobId, string waitId)
        : base(jobId is null ? $"Wait '{waitId}' does not exist." : $"Job '{jobId}' has no wait '{waitId}'.")
    {
        JobId = jobId;
        WaitId = waitId;
    }

    /// <summary>The job, or null in an in-process run.</summary>
    public string? JobId { get; }

    /// <summary>The unknown wait id.</summary>
    public string WaitId { get; }
}
