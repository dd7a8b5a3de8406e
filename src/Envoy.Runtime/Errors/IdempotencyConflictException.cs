namespace Envoy;

/// <summary>
/// <see cref="ScheduleOptions.IdempotencyKey"/> already names a job of another flow: the same key with the same flow returns
/// that job, with another flow it is this conflict, and nothing is created.
/// </summary>
public class IdempotencyConflictException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public IdempotencyConflictException()
        : this(string.Empty, string.Empty, string.Empty, string.Empty)
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public IdempotencyConflictException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public IdempotencyConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
        IdempotencyKey = string.Empty;
        ExistingJobId = string.Empty;
        ExistingFlow = string.Empty;
        RequestedFlow = string.Empty;
    }

    /// <summary>Creates the error for a key held by <paramref name="existingJobId"/> of <paramref name="existingFlow"/>.</summary>
    public IdempotencyConflictException(string idempotencyKey, string existingJobId, string existingFlow, string requestedFlow)
        : base($"Idempotency key '{idempotencyKey}' already names job '{existingJobId}' of flow '{existingFlow}'; it cannot also name a job of flow '{requestedFlow}'.")
    {
        IdempotencyKey = idempotencyKey;
        ExistingJobId = existingJobId;
        ExistingFlow = existingFlow;
        RequestedFlow = requestedFlow;
    }

    /// <summary>The key given.</summary>
    public string IdempotencyKey { get; }

    /// <summary>The job that holds the key.</summary>
    public string ExistingJobId { get; }

    /// <summary>The flow of the job that holds the key.</summary>
    public string ExistingFlow { get; }

    /// <summary>The flow asked for.</summary>
    public string RequestedFlow { get; }
}
