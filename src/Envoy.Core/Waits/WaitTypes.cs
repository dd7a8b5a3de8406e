namespace Envoy;

/// <summary>The wait types Envoy itself creates.</summary>
public static class WaitTypes
{
    /// <summary>A child job started by <see cref="StateContext.Spawn(string, object?, string?)"/>.</summary>
    public const string Spawn = "spawn";

    /// <summary>A question to a human from <see cref="StateContext.Escalate(string, string, IEnumerable{EscalationInput})"/>.</summary>
    public const string Escalation = "escalation";

    /// <summary>A durable timer from <see cref="StateContext.Sleep(string, TimeSpan)"/>: the scheduler resolves it when its time comes.</summary>
    public const string Timer = "timer";
}
