namespace Envoy;

/// <summary>
/// <see cref="Scheduler.ResolveBlockingJobAsync"/> was given a wait that resolves another way: a child's wait resolves when
/// the child ends, an escalation's when it is answered (<see cref="Scheduler.ReplyToEscalationAsync(string, IReadOnlyDictionary{string, object?}, EscalationDecision, CancellationToken)"/>).
/// Nothing changed.
/// </summary>
public class WaitTypeMismatchException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public WaitTypeMismatchException()
        : this(string.Empty, string.Empty, string.Empty)
    {
    }

    /// <summary>Creates the error for a wait of a job and its type.</summary>
    public WaitTypeMismatchException(string jobId, string waitId, string waitType)
        : base(MessageOf(jobId, waitId, waitType))
    {
        JobId = jobId;
        WaitId = waitId;
        WaitType = waitType;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public WaitTypeMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
        JobId = string.Empty;
        WaitId = string.Empty;
        WaitType = string.Empty;
    }

    /// <summary>The job.</summary>
    public string JobId { get; }

    /// <summary>The wait.</summary>
    public string WaitId { get; }

    /// <summary>The wait's type (<see cref="WaitTypes.Spawn"/> or <see cref="WaitTypes.Escalation"/>).</summary>
    public string WaitType { get; }

    private static string MessageOf(string jobId, string waitId, string waitType) => waitType switch
    {
        WaitTypes.Spawn => $"Wait '{waitId}' of job '{jobId}' is a child job's: it resolves when the child ends, not by hand.",
        WaitTypes.Escalation => $"Wait '{waitId}' of job '{jobId}' is an escalation: answer it with ReplyToEscalationAsync.",
        _ => $"Wait '{waitId}' of job '{jobId}' ({waitType}) cannot be resolved by hand.",
    };
}
