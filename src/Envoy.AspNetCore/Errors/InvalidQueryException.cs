namespace Envoy.AspNetCore.Errors;

/// <summary>A query parameter has a value the route does not accept; answered <c>400</c> <c>invalid_query</c> naming it.</summary>
public sealed class InvalidQueryException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public InvalidQueryException()
        : this(string.Empty, "The query is not valid.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public InvalidQueryException(string message)
        : this(string.Empty, message)
    {
    }

    /// <summary>Creates the error for one query parameter.</summary>
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

    /// <summary>The offending query parameter.</summary>
    public string Parameter { get; }
}
