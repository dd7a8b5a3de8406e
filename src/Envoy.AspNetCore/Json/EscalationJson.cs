using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>
/// An escalation as the API writes it: <c>{ id, jobId, waitId, user, message, inputs, status, response, repliedBy, createdAt,
/// answeredAt }</c>. Times are UTC <see cref="DateTime"/>s, written as ISO 8601 with <c>Z</c>.
/// </summary>
public sealed record EscalationJson
{
    /// <summary>The escalation id (equal to its wait id).</summary>
    public required string Id { get; init; }

    /// <summary>The job that asked.</summary>
    public required string JobId { get; init; }

    /// <summary>The job's wait that the reply resolves.</summary>
    public required string WaitId { get; init; }

    /// <summary>Who is asked.</summary>
    public required string User { get; init; }

    /// <summary>The question.</summary>
    public required string Message { get; init; }

    /// <summary>The form's fields.</summary>
    public IReadOnlyList<EscalationInputJson> Inputs { get; init; } = [];

    /// <summary><c>pending</c>, <c>approved</c>, <c>rejected</c>, <c>cancelled</c> or <c>expired</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The reply's values, once answered.</summary>
    public JsonNode? Response { get; init; }

    /// <summary>Who replied (the caller's user).</summary>
    public string? RepliedBy { get; init; }

    /// <summary>When it was asked.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When it was answered.</summary>
    public DateTime? AnsweredAt { get; init; }

    /// <summary>The API form of <paramref name="escalation"/>.</summary>
    public static EscalationJson From(Escalation escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        return new EscalationJson
        {
            Id = escalation.Id,
            JobId = escalation.JobId,
            WaitId = escalation.WaitId,
            User = escalation.User,
            Message = escalation.Message,
            Inputs = escalation.Inputs.Select(EscalationInputJson.From).ToList(),
            Status = JsonNames.Of(escalation.Status),
            Response = escalation.Response?.DeepClone(),
            RepliedBy = escalation.RepliedBy,
            CreatedAt = escalation.CreatedAt.UtcDateTime,
            AnsweredAt = escalation.AnsweredAt?.UtcDateTime,
        };
    }
}

/// <summary>One field of an escalation's form: <c>{ id, label, kind: approve|comment|select, options }</c>.</summary>
/// <param name="Id">The key of its value in a reply's <c>values</c>.</param>
/// <param name="Label">What the human sees.</param>
/// <param name="Kind"><c>approve</c>, <c>comment</c> or <c>select</c>.</param>
/// <param name="Options">For <c>select</c>: value → label; else null.</param>
public sealed record EscalationInputJson(string Id, string Label, string Kind, IReadOnlyDictionary<string, string>? Options)
{
    /// <summary>The API form of <paramref name="input"/>.</summary>
    public static EscalationInputJson From(EscalationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new EscalationInputJson(input.Id, input.Label, JsonNames.Of(input.Kind), input.Options);
    }
}
