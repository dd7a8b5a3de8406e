namespace Envoy;

/// <summary>No flow is registered under this name.</summary>
public class FlowNotFoundException : EnvoyException
{
    /// <summary>Creates the error with no name.</summary>
    public FlowNotFoundException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the error for a flow name.</summary>
    public FlowNotFoundException(string flow)
        : base($"Flow '{flow}' is not registered; register it with AddFlow before scheduling it.")
    {
        Flow = flow;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public FlowNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Flow = string.Empty;
    }

    /// <summary>The unknown flow name.</summary>
    public string Flow { get; }
}
