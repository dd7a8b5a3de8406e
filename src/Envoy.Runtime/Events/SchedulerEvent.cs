namespace Envoy;

/// <summary>Something that happened in this scheduler; read them from <c>Scheduler.Events</c> or <c>ReadEventsAsync</c>.</summary>
/// <param name="JobId">The job concerned.</param>
/// <param name="At">When it happened.</param>
public abstract record SchedulerEvent(string JobId, DateTimeOffset At);

/// <summary>A worker of this scheduler started a step.</summary>
public sealed record StepStartedEvent(string JobId, DateTimeOffset At, string Flow, string State, int Step) : SchedulerEvent(JobId, At);

/// <summary>A step of this scheduler committed.</summary>
public sealed record StepCompletedEvent(string JobId, DateTimeOffset At, string Flow, string State, int Step, JobStatus Status, TimeSpan Duration) : SchedulerEvent(JobId, At);

/// <summary>A job reached a terminal status through this scheduler.</summary>
public sealed record JobFinishedEvent(string JobId, DateTimeOffset At, string Flow, JobStatus Status, string? Error) : SchedulerEvent(JobId, At);

/// <summary>A step of this scheduler asked a human.</summary>
public sealed record EscalationCreatedEvent(string JobId, DateTimeOffset At, Escalation Escalation) : SchedulerEvent(JobId, At);
