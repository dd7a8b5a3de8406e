namespace Envoy.AspNetCore.Events;

/// <summary>One scheduler event as the stream sends it: shared by every client (its JSON is written once).</summary>
/// <param name="Id">The stream's id of the event (<c>id:</c>), increasing.</param>
/// <param name="Kind">The SSE event type (<c>event:</c>): <c>stepStarted</c>, <c>stepCompleted</c>, <c>jobFinished</c>, <c>escalationCreated</c>.</param>
/// <param name="JobId">The job concerned (for the <c>jobId</c> filter).</param>
/// <param name="Data">The JSON data (<c>data:</c>).</param>
/// <param name="ReceivedAt">When the stream received it (for the replay window).</param>
internal sealed record EventStreamItem(long Id, string Kind, string JobId, string Data, DateTimeOffset ReceivedAt);
