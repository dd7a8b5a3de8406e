namespace Envoy;

/// <summary>
/// A context value could not be read as the requested type (wrong type), could not be written as JSON,
/// or a serialized context was malformed. <see cref="Path"/> names the value.
/// </summary>
public class ContextValueException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public ContextValueException()
    {
        Path = string.Empty;
    }

    /// <summary>Creates an error with a message.</summary>
    public ContextValueException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public ContextValueException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Creates an error for the value at <paramref name="path"/>.</summary>
    public ContextValueException(string path, string message, Exception? innerException)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>Which value: <c>input</c>, <c>output</c>, a data key, or <c>context</c> for a whole serialized context.</summary>
    public string Path { get; }
}
