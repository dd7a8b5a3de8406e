using System.Globalization;

namespace Envoy;

/// <summary>
/// A value is larger than <see cref="SchedulerOptions.MaxContextBytes"/> allows: a job's input (<c>ScheduleAsync</c>) or a
/// wait's result (<c>ResolveBlockingJobAsync</c>). Nothing was stored.
/// </summary>
public class ContextTooLargeException : ContextValueException
{
    /// <summary>Creates the error with no details.</summary>
    public ContextTooLargeException()
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public ContextTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public ContextTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for the value at <paramref name="path"/>, of <paramref name="bytes"/> bytes against <paramref name="maxBytes"/>.</summary>
    public ContextTooLargeException(string path, long bytes, long maxBytes)
        : base(path, Describe(path, bytes, maxBytes), null)
    {
        Bytes = bytes;
        MaxBytes = maxBytes;
    }

    /// <summary>The size of the value, in bytes of UTF-8 JSON.</summary>
    public long Bytes { get; }

    /// <summary>The limit (<see cref="SchedulerOptions.MaxContextBytes"/>).</summary>
    public long MaxBytes { get; }

    /// <summary>The message for a value of <paramref name="bytes"/> bytes over the limit.</summary>
    internal static string Describe(string path, long bytes, long maxBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"The {path} is {bytes:N0} bytes of JSON, more than MaxContextBytes ({maxBytes:N0}) allows.");
}
