namespace Envoy;

/// <summary>
/// A wait (<c>Spawn</c>, <c>Escalate</c>, <c>WaitFor</c>) was registered outside a handler: in a router, an output map or a
/// plugin's <c>OnRoute</c>. Waits are registered by handlers only (<c>OnEnter</c>, <c>OnState</c>, <c>OnExit</c> and the
/// plugins' <c>OnEnter</c>/<c>OnExit</c>); a wait made while routing could never stop the step, so it is refused rather than
/// dropped. It is a bug of the flow: a scheduled job fails at once (no retry).
/// </summary>
public class WaitOutsideHandlerException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public WaitOutsideHandlerException()
        : this("A wait was registered outside a handler.")
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public WaitOutsideHandlerException(string message)
        : base(message)
    {
        State = string.Empty;
        Where = string.Empty;
        WaitType = string.Empty;
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public WaitOutsideHandlerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        State = string.Empty;
        Where = string.Empty;
        WaitType = string.Empty;
    }

    /// <summary>Creates the error for a wait of type <paramref name="waitType"/> registered <paramref name="where"/> in <paramref name="state"/>.</summary>
    /// <param name="state">The state whose step was routing.</param>
    /// <param name="where">Where, for example <c>the router of state 'A'</c> or <c>the output map of route 'A' -&gt; 'B'</c>.</param>
    /// <param name="waitType">The wait's type (<see cref="WaitTypes"/>).</param>
    public WaitOutsideHandlerException(string state, string where, string waitType)
        : base($"A {waitType} wait was registered in {where}; waits (Spawn, Escalate, WaitFor) are registered by handlers only (OnEnter, OnState, OnExit, plugin OnEnter/OnExit), never while routing.")
    {
        State = state;
        Where = where;
        WaitType = waitType;
    }

    /// <summary>The state whose step registered the wait.</summary>
    public string State { get; }

    /// <summary>Where the wait was registered (<c>the router of state 'A'</c>, <c>the output map of route 'A' -&gt; 'B'</c>, <c>plugin 'P' OnRoute in state 'A'</c>).</summary>
    public string Where { get; }

    /// <summary>The wait's type (<c>spawn</c>, <c>escalation</c>, or the type given to <c>WaitFor</c>).</summary>
    public string WaitType { get; }
}
