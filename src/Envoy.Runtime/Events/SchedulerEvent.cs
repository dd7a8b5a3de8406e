namespace Envoy;

/// <summary>
/// Something that happened in this scheduler (read them from <c>Scheduler.Events</c> or <c>ReadEventsAsync</c>), or in any
/// scheduler on its store (<c>StoreEvents</c>, <c>ReadStoreEventsAsync</c>).
/// </summary>
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

/// <summary>
/// This subscriber fell <see cref="SchedulerEventsLimits.BufferCapacity"/> events behind and <paramref name="Count"/> events were
/// not delivered to it: once a subscriber's buffer is full, newer events are dropped until it has read what was buffered, then
/// this event says how many it missed (and the stream goes on). Other subscribers and the scheduler itself are not affected.
/// Its <see cref="SchedulerEvent.JobId"/> is empty.
/// </summary>
/// <param name="At">When the first missed event happened.</param>
/// <param name="Count">How many events this subscriber missed.</param>
public sealed record EventsDroppedEvent(DateTimeOffset At, long Count) : SchedulerEvent(string.Empty, At);

/// <summary>Limits of the in-process event stream (<c>Scheduler.Events</c>, <c>ReadEventsAsync</c>).</summary>
public static class SchedulerEventsLimits
{
    /// <summary>How many events each observer or reader may have waiting before newer ones are dropped (see <see cref="EventsDroppedEvent"/>).</summary>
    public const int BufferCapacity = 10_000;
}
