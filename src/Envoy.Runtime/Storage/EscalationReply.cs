namespace Envoy.Runtime.Storage;

/// <summary>A reply to an escalation.</summary>
public sealed record EscalationReply(string EscalationId, EscalationStatus Status, string ResponseJson, string? RepliedBy, long NowMs);
