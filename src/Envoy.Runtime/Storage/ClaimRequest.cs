namespace Envoy.Runtime.Storage;

/// <summary>Claim up to <paramref name="Max"/> runnable jobs of the given flows for <paramref name="Owner"/>.</summary>
public sealed record ClaimRequest(string Owner, int Max, long NowMs, long LeaseUntilMs, IReadOnlyCollection<string> Flows)
{
    /// <summary>
    /// The (flow, version) pairs the claimer has, as <see cref="FlowVersionKey"/>s: a job with a recorded version is claimed
    /// only when its pair is among them; a job with none (made before versions) only needs its flow in <see cref="Flows"/>.
    /// Null: no version filter (every version of <see cref="Flows"/>).
    /// </summary>
    public IReadOnlyCollection<string>? FlowVersions { get; init; }
}
