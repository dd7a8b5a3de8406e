using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

/// <summary>
/// A job that just became terminal in the transaction (a step committed it, or it was finished by hand): the input of
/// <see cref="JobStateMachine.JobEndedAsync"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">Its terminal status.</param>
/// <param name="ParentId">The job that spawned it, if any.</param>
/// <param name="ParentWaitId">The parent's wait it resolves, if any.</param>
/// <param name="OutputJson">Its output, handed to the parent's wait when it is done.</param>
/// <param name="Error">Its error, handed to the parent's wait when it failed.</param>
/// <param name="NowMs">When it ended.</param>
public sealed record JobEnd(string JobId, JobStatus Status, string? ParentId, string? ParentWaitId, string? OutputJson, string? Error, long NowMs)
{
    /// <summary>The end a committed step records, with the parent its job row named.</summary>
    public static JobEnd OfCommit(StepCommit commit, string? parentId, string? parentWaitId)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return new JobEnd(commit.JobId, commit.Status, parentId, parentWaitId, commit.OutputJson, commit.Error, commit.NowMs);
    }

    /// <summary>
    /// True when the end has effects beyond the job's own row (<see cref="JobStateMachine.JobEndedAsync"/> has something to
    /// do): a parent's wait to resolve, or (unless done) descendants and escalations to cancel. Only a job done without a parent
    /// has none; a store may skip the call then, and so keep that common end to the writes of the step itself.
    /// </summary>
    public static bool HasEffects(JobStatus status, string? parentId) => status != JobStatus.Done || parentId is not null;

    /// <summary>How the parent's wait resolves: success when done, cancelled when cancelled, else an error.</summary>
    public WaitResolutionKind WaitKind => Status switch
    {
        JobStatus.Done => WaitResolutionKind.Success,
        JobStatus.Cancelled => WaitResolutionKind.Cancelled,
        _ => WaitResolutionKind.Error,
    };

    /// <summary>The resolution of the parent's wait (null without a parent): the output when done, else the error text.</summary>
    public WaitResolution? ParentWaitResolution
    {
        get
        {
            if (ParentId is null || ParentWaitId is null)
            {
                return null;
            }

            var kind = WaitKind;
            var error = kind switch
            {
                WaitResolutionKind.Success => null,
                WaitResolutionKind.Cancelled => "cancelled",
                _ => Error ?? "failed",
            };
            return new WaitResolution(ParentId, ParentWaitId, kind, kind == WaitResolutionKind.Success ? OutputJson : null, error, NowMs);
        }
    }

    /// <summary>Why its descendants are cancelled: written to their history entries (and, prefixed, their error).</summary>
    public string CascadeReason => $"ancestor job '{JobId}' ended {Status.ToString().ToLowerInvariant()}";
}
