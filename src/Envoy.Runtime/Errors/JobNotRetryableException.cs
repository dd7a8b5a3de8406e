namespace Envoy;

/// <summary>
/// <see cref="Scheduler.RetryJobAsync"/> refused the job: it is not failed or cancelled, or its run ended in a way a retry
/// cannot resume (it reached <c>MaxSteps</c>); nothing changed.
/// </summary>
public class JobNotRetryableException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public JobNotRetryableException()
        : this(string.Empty, JobStatus.Done)
    {
    }

    /// <summary>Creates the error for a job whose status cannot be retried.</summary>
    public JobNotRetryableException(string jobId, JobStatus status)
        : this(jobId, status, $"Job '{jobId}' is {status.ToString().ToLowerInvariant()}; only failed or cancelled jobs can be retried.")
    {
    }

    /// <summary>Creates the error for a job with the reason it cannot be retried.</summary>
    public JobNotRetryableException(string jobId, JobStatus status, string message)
        : base(message)
    {
        JobId = jobId;
        Status = status;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public JobNotRetryableException(string message, Exception? innerException)
        : base(message, innerException)
    {
        JobId = string.Empty;
    }

    /// <summary>The job.</summary>
    public string JobId { get; }

    /// <summary>Its status when the retry was refused.</summary>
    public JobStatus Status { get; }

    /// <summary>The step at which the job reached <c>MaxSteps</c>, or null when that is not why it was refused.</summary>
    public int? MaxSteps { get; init; }
}
