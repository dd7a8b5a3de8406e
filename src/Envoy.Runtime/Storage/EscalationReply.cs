namespace Envoy.Runtime.Storage;

/// <summary>A reply to an escalation (or its expiry: <see cref="EscalationStatus.Expired"/>, no response, nobody replied).</summary>
public sealed record EscalationReply(string EscalationId, EscalationStatus Status, string? ResponseJson, string? RepliedBy, long NowMs);
