namespace Envoy;

/// <summary>An <see cref="LlmConfig"/> is invalid; <see cref="Errors"/> lists every problem.</summary>
public class LlmConfigException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public LlmConfigException()
    {
        Errors = [];
    }

    /// <summary>Creates an error with a message.</summary>
    public LlmConfigException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public LlmConfigException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Creates an error listing <paramref name="errors"/>.</summary>
    public LlmConfigException(IReadOnlyList<string> errors)
        : base("Invalid LLM configuration: " + string.Join(" ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
