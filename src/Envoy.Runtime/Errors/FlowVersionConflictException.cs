namespace Envoy;

/// <summary>
/// <c>AddFlow</c> was given a version (<see cref="FlowOptions.Version"/>) already registered under that flow name for another
/// flow object: two shapes cannot share a version, or a job started on one would run on the other.
/// </summary>
public class FlowVersionConflictException : EnvoyException
{
    /// <summary>Creates the error with no flow or version.</summary>
    public FlowVersionConflictException()
        : this(string.Empty, string.Empty)
    {
    }

    /// <summary>Creates the error for a flow and version.</summary>
    public FlowVersionConflictException(string flow, string version)
        : base($"Flow '{flow}' already has a version '{version}' registered with another flow object; give the new shape a version of its own (FlowOptions.Version), or register the same StateFlow instance.")
    {
        Flow = flow;
        Version = version;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public FlowVersionConflictException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Flow = string.Empty;
        Version = string.Empty;
    }

    /// <summary>The flow's name.</summary>
    public string Flow { get; }

    /// <summary>The version registered twice.</summary>
    public string Version { get; }
}
