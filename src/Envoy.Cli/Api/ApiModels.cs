using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Envoy.Cli.Api;

// The parts of the API's JSON the tables show (see src/Envoy.AspNetCore/Json). --json prints the answer's text itself, never
// these: fields added to the API reach scripts unchanged.

/// <summary>A job as the API returns it.</summary>
internal sealed record JobView(
    string Id,
    string Flow,
    string Status,
    string? State,
    int Step,
    JsonNode? Input,
    JsonNode? Output,
    string? Error,
    string? ParentId,
    int Priority,
    int Retries,
    int Attempts,
    string? IdempotencyKey,
    DateTimeOffset? RunAt,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<WaitView>? Waits);

/// <summary>A wait of a job.</summary>
internal sealed record WaitView(string Id, string? Type, string Status, JsonNode? Output, string? Error);

/// <summary>A page of jobs: <c>{ items, total? }</c>.</summary>
internal sealed record JobListView(IReadOnlyList<JobView> Items, long? Total);

/// <summary>One entry of a job's history.</summary>
internal sealed record HistoryEntryView(string Kind, DateTimeOffset At, string? State, int? Step, string? FromStatus, string? ToStatus, double? DurationMs, string? Error);

/// <summary>A flow in the flow list.</summary>
internal sealed record FlowSummaryView(string Name, string? StartState, IReadOnlyList<string>? States, string? Mermaid);

/// <summary>One flow with its states and routes.</summary>
internal sealed record FlowView(string Name, string? StartState, IReadOnlyList<FlowStateView>? States, string? Mermaid);

/// <summary>A state of a flow.</summary>
internal sealed record FlowStateView(string Name, string? Description, bool Final, IReadOnlyList<FlowRouteView>? Routes);

/// <summary>A route between two states.</summary>
internal sealed record FlowRouteView(string To, string? Description, bool Default);

/// <summary>An escalation: a question to a user.</summary>
internal sealed record EscalationView(
    string Id,
    string JobId,
    string WaitId,
    string User,
    string Message,
    IReadOnlyList<EscalationInputView>? Inputs,
    string Status,
    JsonNode? Response,
    string? RepliedBy,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? AnsweredAt);

/// <summary>One input of an escalation (<c>approve</c>, <c>comment</c> or <c>select</c>).</summary>
internal sealed record EscalationInputView(string Id, string? Label, string Kind, IReadOnlyDictionary<string, string>? Options);

/// <summary>The job counts.</summary>
internal sealed record StatsView(JobCountsView Counts, long? Total, DateTimeOffset? OldestPendingAt, DateTimeOffset? CountedAt);

/// <summary>The number of jobs in each status.</summary>
internal sealed record JobCountsView(long Pending, long Running, long Blocking, long Done, long Failed, long Cancelled);

/// <summary>An RFC 7807 problem with the API's <c>code</c> extension.</summary>
internal sealed record ProblemView(string? Title, int? Status, string? Detail, string? Code);

/// <summary>The data of a server-sent event (<c>stepStarted</c>, <c>stepCompleted</c>, <c>jobFinished</c>, <c>progress</c>, ...).</summary>
internal sealed record JobEventData(string? JobId, DateTimeOffset? At, string? State, int? Step, string? Status, double? DurationMs, string? Error, long? Sequence = null, JsonNode? Progress = null);

/// <summary>The body of <c>POST /api/jobs</c>.</summary>
internal sealed record ScheduleRequest(string Flow, JsonNode? Input, double? Delay, string? IdempotencyKey);

/// <summary>The body of <c>POST /api/jobs/{id}/fail</c>.</summary>
internal sealed record FailRequest(string Reason);

/// <summary>The body of <c>POST /api/jobs/{id}/waits/{waitId}/resolve</c>.</summary>
internal sealed record ResolveRequest([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonNode? Value);

/// <summary>The body of <c>POST /api/escalations/{id}/reply</c>.</summary>
internal sealed record ReplyRequest(string Decision, JsonObject Values);
