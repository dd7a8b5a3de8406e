using System.Text.Json.Nodes;
using System.Text.Json;
using Envoy.Runtime.Retries;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>Turns the outcome of one step into the commit that records it (and the events to raise once it is applied).</summary>
internal sealed class StepPlanner(RuntimeServices services)
{
    /// <summary>The step ran: finished, blocked on waits, failed by the flow, or moved to the next state.</summary>
    public PlannedCommit Completed(RunningJob job, StateContext before, StateContext after, TimeSpan duration)
    {
        if (after.Done == DoneReason.Error)
        {
            return Failed(job, before, after.Error ?? "The step failed.", null, duration);
        }

        var now = services.NowMs;
        var status = after.Done switch
        {
            DoneReason.Finished => JobStatus.Done,
            DoneReason.MaxSteps => JobStatus.Failed,
            DoneReason.Cancelled => JobStatus.Cancelled,
            _ => after.IsWaiting ? JobStatus.Blocking : JobStatus.Running,
        };
        var children = new List<NewJob>();
        var waits = new List<NewWait>();
        var escalations = new List<NewEscalation>();
        var raised = new List<SchedulerEvent>();
        if (status == JobStatus.Blocking)
        {
            foreach (var wait in after.Waits)
            {
                if (!wait.IsPending)
                {
                    continue;
                }

                waits.Add(new NewWait(wait.Id, wait.Type) { DueAtMs = wait.Timeout is { } timeout ? now + (long)Math.Ceiling(timeout.TotalMilliseconds) : null });
                if (wait.Type == WaitTypes.Spawn)
                {
                    var child = Child(job, wait);
                    if (child is null)
                    {
                        // A configuration error, not a crash: running the step again would spawn the same unknown flow.
                        var unknown = new FlowNotFoundException(wait.Params?["flow"]?.GetValue<string>() ?? string.Empty);
                        return Failed(job, before, $"State '{before.State}' (step {before.Step}) spawned a child of an unknown flow: {unknown.Message}", unknown, duration, retryable: false);
                    }

                    children.Add(child);
                }
                else if (wait.Type == WaitTypes.Escalation)
                {
                    var escalation = EscalationOf(job.Id, wait, now);
                    escalations.Add(new NewEscalation(wait.Id, escalation.User, escalation.Message, JsonSerializer.Serialize(escalation.Inputs, EnvoyJson.Options)));
                    raised.Add(new EscalationCreatedEvent(job.Id, escalation.CreatedAt, escalation));
                }
            }
        }

        var at = JobMapper.FromMs(now);
        var error = status == JobStatus.Failed ? ContextLimits.Storable(after.Error) : null;
        if (status == JobStatus.Failed)
        {
            RuntimeLog.JobFailed(services.Logger, null, job.Id, job.Flow, before.State, before.Step, error ?? "failed");
        }

        raised.Insert(0, new StepCompletedEvent(job.Id, at, job.Flow, before.State, before.Step, status, duration));
        if (status.IsTerminal())
        {
            raised.Add(new JobFinishedEvent(job.Id, at, job.Flow, status, error));
        }

        var commit = new StepCommit
        {
            JobId = job.Id,
            Owner = services.WorkerId,
            ExpectedVersion = job.Version,
            Status = status,
            ContextJson = after.Serialize(),
            NowMs = now,
            LeaseUntilMs = status == JobStatus.Running ? services.LeaseUntilMs : null,
            Error = error,
            Retries = job.Retries,
            OutputJson = status == JobStatus.Done ? after.Output()?.ToJsonString() : null,
            Children = children,
            Waits = waits,
            Escalations = escalations,
            ConsumedWaits = job.HasResolutions,
            ParentId = job.ParentId,
            Events = [new JobEvent(job.Id, at, JobEventKind.StepCompleted, before.State, before.Step, JobStatus.Running, status, duration, error)],
        };
        if (Refusal(commit) is { } refusal)
        {
            return FailedAtOnce(job, before, refusal, duration);
        }

        return new PlannedCommit(commit, after, raised);
    }

    /// <summary>
    /// The store refused the step's commit (<see cref="CommitResult.Refused"/>), or it holds a value no store accepts: the job
    /// fails at once (no retry: the same step would produce the same value), from its last committed context, with the reason.
    /// </summary>
    public PlannedCommit FailedAtOnce(RunningJob job, StateContext before, string reason, TimeSpan duration) =>
        FailWithoutRetry(job, before, ContextLimits.Storable($"The step's commit was refused: {reason}")!, duration);

    /// <summary>
    /// The job was taken over <paramref name="takeovers"/> times without a commit (at least <see cref="SchedulerOptions.MaxAttempts"/>):
    /// its step is not run again; the job fails from its last committed context.
    /// </summary>
    public PlannedCommit TakenOverTooOften(RunningJob job, StateContext before, int takeovers)
    {
        var error = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"The job was taken over {takeovers} times without a commit (its lease expired each time: the step at state '{before.State}' may be killing its worker, for example by running out of memory or overflowing the stack); MaxAttempts is {services.Config.MaxAttempts}.");
        return FailWithoutRetry(job, before, error, TimeSpan.Zero);
    }

    /// <summary>Fails the job at once, from its last committed context, with <paramref name="error"/> (no retry).</summary>
    private PlannedCommit FailWithoutRetry(RunningJob job, StateContext before, string error, TimeSpan duration)
    {
        var now = services.NowMs;
        var at = JobMapper.FromMs(now);
        RuntimeLog.JobFailed(services.Logger, null, job.Id, job.Flow, before.State, before.Step, error);
        var commit = new StepCommit
        {
            JobId = job.Id,
            Owner = services.WorkerId,
            ExpectedVersion = job.Version,
            Status = JobStatus.Failed,
            ContextJson = before.Serialize(),
            NowMs = now,
            Error = error,
            Retries = job.Retries,
            ConsumedWaits = job.HasResolutions,
            ParentId = job.ParentId,
            Events = [new JobEvent(job.Id, at, JobEventKind.StepFailed, before.State, before.Step, JobStatus.Running, JobStatus.Failed, duration, error)],
        };
        return new PlannedCommit(
            commit,
            before,
            [new StepCompletedEvent(job.Id, at, job.Flow, before.State, before.Step, JobStatus.Failed, duration), new JobFinishedEvent(job.Id, at, job.Flow, JobStatus.Failed, error)]);
    }

    /// <summary>Why no store could take <paramref name="commit"/> (a value too large, or holding U+0000), or null.</summary>
    private string? Refusal(StepCommit commit)
    {
        var max = services.Config.MaxContextBytes;
        var refusal = ContextLimits.Refusal(commit.ContextJson, "context", max) ?? ContextLimits.Refusal(commit.OutputJson, "output", max);
        foreach (var child in commit.Children)
        {
            refusal ??= ContextLimits.Refusal(child.ContextJson, $"context of the child of wait '{child.ParentWaitId}'", max);
        }

        foreach (var escalation in commit.Escalations)
        {
            refusal ??= ContextLimits.Refusal(escalation.InputsJson, $"inputs of escalation '{escalation.Id}'", max);
        }

        return refusal;
    }

    /// <summary>
    /// The step threw or the flow failed it: retry from the last commit with backoff, or fail for good (at once when not
    /// <paramref name="retryable"/>: a bug of the flow or its configuration that another run would repeat).
    /// </summary>
    public PlannedCommit Failed(RunningJob job, StateContext before, string error, Exception? exception, TimeSpan duration, bool retryable = true)
    {
        error = ContextLimits.Storable(error)!;
        var now = services.NowMs;
        var at = JobMapper.FromMs(now);
        var retry = retryable && job.Retries < job.MaxRetries;
        var status = retry ? JobStatus.Pending : JobStatus.Failed;
        long? runAt = null;
        var raised = new List<SchedulerEvent> { new StepCompletedEvent(job.Id, at, job.Flow, before.State, before.Step, status, duration) };
        if (retry)
        {
            var delay = RetryBackoff.Delay(job.Retries + 1, services.Config.RetryBaseDelay, services.Config.RetryMaxDelay);
            runAt = now + (long)delay.TotalMilliseconds;
            RuntimeLog.StepRetrying(services.Logger, exception, job.Id, job.Flow, before.Step, before.State, job.Retries + 1, job.MaxRetries, delay);
        }
        else
        {
            RuntimeLog.JobFailed(services.Logger, exception, job.Id, job.Flow, before.State, before.Step, error);
            raised.Add(new JobFinishedEvent(job.Id, at, job.Flow, JobStatus.Failed, error));
        }

        var commit = new StepCommit
        {
            JobId = job.Id,
            Owner = services.WorkerId,
            ExpectedVersion = job.Version,
            Status = status,
            ContextJson = before.Serialize(),
            NowMs = now,
            Error = error,
            Retries = retry ? job.Retries + 1 : job.Retries,
            RunAtMs = runAt,
            ConsumedWaits = job.HasResolutions,
            ParentId = job.ParentId,
            Events = [new JobEvent(job.Id, at, JobEventKind.StepFailed, before.State, before.Step, JobStatus.Running, status, duration, error)],
        };
        return new PlannedCommit(commit, before, raised);
    }

    /// <summary>The worker stops before the step finished: give the job back as pending, unchanged.</summary>
    public PlannedCommit Released(RunningJob job, StateContext before) => ReleasedUntil(job, before, services.NowMs, reason: null);

    /// <summary>
    /// A limit refused the step a start (<see cref="FlowOptions.RateLimit"/>): the step does not run; the job goes back to
    /// pending, unchanged, until <paramref name="runAtMs"/>, its retries not counted, with a <see cref="JobEventKind.Released"/>
    /// entry and <see cref="Job.WaitingReason"/> saying why (<paramref name="reason"/>).
    /// </summary>
    public PlannedCommit ReleasedForLimit(RunningJob job, StateContext before, long runAtMs, string reason) =>
        ReleasedUntil(job, before, runAtMs, reason);

    /// <summary>The job back as pending, unchanged, until <paramref name="runAtMs"/> (at the earliest now), with why (or null).</summary>
    private PlannedCommit ReleasedUntil(RunningJob job, StateContext before, long runAtMs, string? reason)
    {
        var now = services.NowMs;
        var commit = new StepCommit
        {
            JobId = job.Id,
            Owner = services.WorkerId,
            ExpectedVersion = job.Version,
            Status = JobStatus.Pending,
            ContextJson = before.Serialize(),
            NowMs = now,
            Retries = job.Retries,
            RunAtMs = Math.Max(runAtMs, now),
            ConsumedWaits = job.HasResolutions,
            ParentId = job.ParentId,
            WaitingReason = reason,
            Events = [new JobEvent(job.Id, JobMapper.FromMs(now), JobEventKind.Released, before.State, before.Step, JobStatus.Running, JobStatus.Pending, null, reason)],
        };
        return new PlannedCommit(commit, before, []);
    }

    /// <summary>The child job of a spawn wait, or null when its flow is not registered with this scheduler.</summary>
    private NewJob? Child(RunningJob parent, Wait wait)
    {
        var flowName = wait.Params?["flow"]?.GetValue<string>() ?? string.Empty;
        if (services.Flows.TryGetNewest(flowName) is not { Flow: var flow } newest)
        {
            return null;
        }

        var id = services.NewJobId();
        var context = flow.NewContext(wait.Params?["input"]?.DeepClone());
        context.JobId = id;
        var now = services.NowMs;
        return new NewJob(id, flowName, context.Serialize(), parent.Priority, now, now, parent.Id, wait.Id, null)
        {
            InputJson = JobInputs.ToJson(context.Input()),
            FlowVersion = newest.Version,
            // The parent's step span is current here: the child's steps link to it.
            TraceParent = StoredTraceContext.Capture(),
            // A child has no concurrency key: a limited child flow's children share its key-less slot set.
            ConcurrencyLimit = newest.Options.ConcurrencyLimit,
        };
    }

    public static Escalation EscalationOf(string jobId, Wait wait, long nowMs)
    {
        var inputs = wait.Params?["inputs"] is JsonNode node ? node.Deserialize<List<EscalationInput>>(EnvoyJson.Options) ?? [] : [];
        return new Escalation(
            wait.Id,
            jobId,
            wait.Id,
            wait.Params?["user"]?.GetValue<string>() ?? string.Empty,
            wait.Params?["message"]?.GetValue<string>() ?? string.Empty,
            inputs,
            EscalationStatus.Pending,
            null,
            null,
            JobMapper.FromMs(nowMs),
            null);
    }
}

/// <summary>A commit to write, the context the job has once it is applied, and the events to raise then.</summary>
internal sealed record PlannedCommit(StepCommit Commit, StateContext After, IReadOnlyList<SchedulerEvent> Events);
