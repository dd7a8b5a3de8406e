namespace Envoy;

/// <summary>A recurring schedule names a time zone this machine does not know (<see cref="RecurringOptions.TimeZone"/>).</summary>
public class UnknownTimeZoneException : EnvoyException
{
    /// <summary>Creates the error with no id.</summary>
    public UnknownTimeZoneException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the error for a time zone id.</summary>
    public UnknownTimeZoneException(string timeZoneId)
        : base($"The time zone '{timeZoneId}' is unknown; use an IANA id such as 'Europe/Berlin' (or a Windows id).")
    {
        TimeZoneId = timeZoneId;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public UnknownTimeZoneException(string message, Exception? innerException)
        : base(message, innerException)
    {
        TimeZoneId = string.Empty;
    }

    /// <summary>The time zone id as given.</summary>
    public string TimeZoneId { get; }
}
