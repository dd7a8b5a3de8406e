namespace Envoy;

/// <summary>
/// A handler, router or plugin failed while a step ran. <see cref="State"/> and <see cref="Step"/> say where;
/// the original error is the <see cref="Exception.InnerException"/> and its message is part of this one.
/// </summary>
public class StateFlowException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public StateFlowException()
        : this(string.Empty, 0, "State flow failed.", null)
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public StateFlowException(string message)
        : this(string.Empty, 0, message, null)
    {
    }

    /// <summary>Creates an error with a message and the original error.</summary>
    public StateFlowException(string message, Exception? innerException)
        : this(string.Empty, 0, message, innerException)
    {
    }

    /// <summary>Creates an error for the given state and step.</summary>
    public StateFlowException(string state, int step, string message, Exception? innerException)
        : base(message, innerException)
    {
        State = state;
        Step = step;
    }

    /// <summary>The state whose step failed.</summary>
    public string State { get; }

    /// <summary>The step number (starting at 1) that failed.</summary>
    public int Step { get; }

    internal static StateFlowException FromHandler(string state, int step, string where, Exception inner) =>
        new(state, step, $"State '{state}' failed at step {step} in {where}: {inner.Message}", inner);
}
