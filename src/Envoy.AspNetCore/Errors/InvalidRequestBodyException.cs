namespace Envoy.AspNetCore.Errors;

/// <summary>The request body is malformed, has a wrong type or misses a field; answered <c>400</c> <c>invalid_body</c>.</summary>
public sealed class InvalidRequestBodyException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public InvalidRequestBodyException()
        : this(string.Empty, "The request body is not valid.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public InvalidRequestBodyException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the error for one field (a JSON path such as <c>delay</c> or <c>values.note</c>; empty for the whole body).</summary>
    public InvalidRequestBodyException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public InvalidRequestBodyException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    /// <summary>The offending field, or empty for the whole body.</summary>
    public string Field { get; }
}
