using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A question a job asked a human, and the answer once given.</summary>
/// <param name="Id">The escalation id (equal to its wait id).</param>
/// <param name="JobId">The job that asked.</param>
/// <param name="WaitId">The job's wait that the reply resolves.</param>
/// <param name="User">Who is asked.</param>
/// <param name="Message">The question.</param>
/// <param name="Inputs">The form's fields.</param>
/// <param name="Status">Pending, approved, rejected, cancelled (its job ended first) or expired.</param>
/// <param name="Response">The reply's values.</param>
/// <param name="RepliedBy">Who replied.</param>
/// <param name="CreatedAt">When it was asked.</param>
/// <param name="AnsweredAt">When it was answered.</param>
public sealed record Escalation(
    string Id,
    string JobId,
    string WaitId,
    string User,
    string Message,
    IReadOnlyList<EscalationInput> Inputs,
    EscalationStatus Status,
    JsonNode? Response,
    string? RepliedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt);
