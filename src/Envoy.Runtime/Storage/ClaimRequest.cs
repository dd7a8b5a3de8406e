namespace Envoy.Runtime.Storage;

/// <summary>Claim up to <paramref name="Max"/> runnable jobs of the given flows for <paramref name="Owner"/>.</summary>
public sealed record ClaimRequest(string Owner, int Max, long NowMs, long LeaseUntilMs, IReadOnlyCollection<string> Flows);
