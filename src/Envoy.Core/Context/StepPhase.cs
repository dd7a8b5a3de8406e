namespace Envoy;

/// <summary>
/// Which part of a step runs next. A fresh step starts at <see cref="PluginEnter"/>; a step that stopped on waits
/// resumes at the phase after the handler that registered them.
/// </summary>
public enum StepPhase
{
    /// <summary>The plugins' <c>OnEnter</c>s (from <see cref="StateContext.PhaseIndex"/>).</summary>
    PluginEnter,

    /// <summary>The state's <c>OnEnter</c>.</summary>
    Enter,

    /// <summary>The state's <c>OnState</c>.</summary>
    State,

    /// <summary>The plugins' <c>OnExit</c>s (from <see cref="StateContext.PhaseIndex"/>).</summary>
    PluginExit,

    /// <summary>The state's <c>OnExit</c>.</summary>
    Exit,

    /// <summary>The router, the plugins' <c>OnRoute</c>s, the output mapping and the transition.</summary>
    Route,
}
