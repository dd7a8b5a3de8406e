namespace Envoy;

/// <summary>A recurring schedule's cron expression cannot be parsed (5 fields, or 6 with seconds first).</summary>
public class InvalidCronExpressionException : EnvoyException
{
    /// <summary>Creates the error with no expression.</summary>
    public InvalidCronExpressionException()
        : this(string.Empty, string.Empty)
    {
    }

    /// <summary>Creates the error for an expression and the parser's reason.</summary>
    public InvalidCronExpressionException(string expression, string reason, Exception? innerException = null)
        : base($"The cron expression '{expression}' is invalid: {reason}", innerException)
    {
        Expression = expression;
        Reason = reason;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public InvalidCronExpressionException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Expression = string.Empty;
        Reason = message;
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>Why it is invalid (Cronos's message).</summary>
    public string Reason { get; }
}
