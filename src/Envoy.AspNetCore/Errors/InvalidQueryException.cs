namespace Envoy.AspNetCore.Errors;

/// <summary>A query string parameter is malformed or out of range; answered <c>400</c> <c>invalid_query</c>, the detail naming it.</summary>
public sealed class InvalidQueryException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public InvalidQueryException()
        : this(string.Empty, "The query string is not valid.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public InvalidQueryException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the error for one parameter (such as <c>status</c> or <c>limit</c>).</summary>
    public InvalidQueryException(string parameter, string message)
        : base(message)
    {
        Parameter = parameter;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public InvalidQueryException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Parameter = string.Empty;
    }

    /// <summary>The offending query parameter, or empty for the whole query string.</summary>
    public string Parameter { get; }
}
