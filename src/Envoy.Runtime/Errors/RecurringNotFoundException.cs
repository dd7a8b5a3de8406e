namespace Envoy;

/// <summary>No recurring schedule has this id.</summary>
public class RecurringNotFoundException : EnvoyException
{
    /// <summary>Creates the error with no id.</summary>
    public RecurringNotFoundException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the error for a schedule id.</summary>
    public RecurringNotFoundException(string recurringId)
        : base($"Recurring schedule '{recurringId}' was not found.")
    {
        RecurringId = recurringId;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public RecurringNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RecurringId = string.Empty;
    }

    /// <summary>The unknown schedule id.</summary>
    public string RecurringId { get; }
}
