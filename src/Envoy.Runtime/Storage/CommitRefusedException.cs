namespace Envoy.Runtime.Storage;

/// <summary>
/// Thrown by <see cref="IJobWriteStore.CommitAsync"/> when the store refused a commit's data (see <see cref="CommitResult.Refused"/>);
/// the other commits of the batch were applied or not as usual. <see cref="IJobWriteStore.CommitStepsAsync"/> reports each instead.
/// </summary>
public class CommitRefusedException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public CommitRefusedException()
        : this(string.Empty, string.Empty)
    {
    }

    /// <summary>Creates the error for a job's refused commit.</summary>
    public CommitRefusedException(string jobId, string reason)
        : base($"The store refused the commit of job '{jobId}': {reason}")
    {
        JobId = jobId;
        Reason = reason;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public CommitRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        JobId = string.Empty;
        Reason = message;
    }

    /// <summary>The job whose commit was refused.</summary>
    public string JobId { get; }

    /// <summary>The store's reason.</summary>
    public string Reason { get; }

    /// <summary>The applied flags of <paramref name="results"/>; throws for the first refused commit.</summary>
    public static IReadOnlyList<bool> ThrowIfAnyRefused(IReadOnlyList<StepCommit> commits, IReadOnlyList<CommitResult> results)
    {
        ArgumentNullException.ThrowIfNull(commits);
        ArgumentNullException.ThrowIfNull(results);
        var applied = new bool[results.Count];
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].RefusedReason is { } reason)
            {
                throw new CommitRefusedException(commits[i].JobId, reason);
            }

            applied[i] = results[i].Applied;
        }

        return applied;
    }
}
