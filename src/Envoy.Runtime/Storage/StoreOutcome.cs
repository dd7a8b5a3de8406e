namespace Envoy.Runtime.Storage;

/// <summary>What a store operation found.</summary>
public enum StoreOutcome
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>No such job.</summary>
    JobNotFound,

    /// <summary>The job is terminal (see <see cref="StoreResult.Status"/>).</summary>
    JobTerminal,

    /// <summary>No such wait.</summary>
    WaitNotFound,

    /// <summary>The wait was already resolved.</summary>
    WaitAlreadyResolved,

    /// <summary>No such escalation.</summary>
    EscalationNotFound,

    /// <summary>The escalation was already answered.</summary>
    EscalationAlreadyAnswered,

    /// <summary>The job is not in a status this operation applies to (see <see cref="StoreResult.Status"/>).</summary>
    WrongStatus,

    /// <summary>
    /// The wait resolves another way (a child's wait when the child ends, an escalation's with a reply): see
    /// <see cref="StoreResult.WaitType"/>.
    /// </summary>
    WaitTypeMismatch,
}
