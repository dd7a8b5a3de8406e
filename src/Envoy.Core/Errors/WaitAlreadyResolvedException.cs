namespace Envoy;

/// <summary>A wait that was already resolved or rejected was answered again; nothing changed.</summary>
public class WaitAlreadyResolvedException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public WaitAlreadyResolvedException()
        : this(null, string.Empty)
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public WaitAlreadyResolvedException(string message)
        : base(message)
    {
        WaitId = string.Empty;
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public WaitAlreadyResolvedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        WaitId = string.Empty;
    }

    /// <summary>Creates the error for a wait of a job (the job id is null in an in-process run).</summary>
    public WaitAlreadyResolvedException(string? jobId, string waitId)
        : base(jobId is null ? $"Wait '{waitId}' is already resolved." : $"Wait '{waitId}' of job '{jobId}' is already resolved.")
    {
        JobId = jobId;
        WaitId = waitId;
    }

    /// <summary>The job, or null in an in-process run.</summary>
    public string? JobId { get; }

    /// <summary>The wait that was already resolved.</summary>
    public string WaitId { get; }
}
