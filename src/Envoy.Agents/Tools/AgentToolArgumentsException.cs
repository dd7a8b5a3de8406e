namespace Envoy;

/// <summary>A tool was called with arguments that do not match its schema; <see cref="Errors"/> says how.</summary>
public class AgentToolArgumentsException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public AgentToolArgumentsException()
    {
        ToolName = string.Empty;
        Errors = [];
    }

    /// <summary>Creates an error with a message.</summary>
    public AgentToolArgumentsException(string message)
        : base(message)
    {
        ToolName = string.Empty;
        Errors = [message];
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public AgentToolArgumentsException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ToolName = string.Empty;
        Errors = [message];
    }

    /// <summary>Creates the error for <paramref name="toolName"/> with every problem found.</summary>
    public AgentToolArgumentsException(string toolName, IReadOnlyList<string> errors)
        : base($"The arguments of tool '{toolName}' do not match its schema: {string.Join("; ", errors ?? [])}.")
    {
        ToolName = toolName;
        Errors = errors ?? [];
    }

    /// <summary>The tool.</summary>
    public string ToolName { get; }

    /// <summary>Every problem, as <c>/path: message</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}
