namespace Envoy.Runtime.Coordination;

/// <summary>A coordination server (Redis) that can say whether it answers right now (for health checks).</summary>
public interface ICoordinationProbe
{
    /// <summary>A short name of the server's kind for health reports (for example <c>redis</c>).</summary>
    string Kind { get; }

    /// <summary>One round trip (a ping): completes when the server answered, throws when it did not; honours the token.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
