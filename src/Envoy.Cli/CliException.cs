namespace Envoy.Cli;

/// <summary>
/// An error that ends the command with <see cref="ExitCode"/> and prints <see cref="Exception.Message"/> (never a stack trace)
/// on standard error.
/// </summary>
internal class CliException : Exception
{
    /// <summary>Creates the error.</summary>
    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>The process's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>A usage error: exit code <see cref="ExitCodes.Usage"/>.</summary>
    public static CliException Usage(string message, Exception? innerException = null) => new(ExitCodes.Usage, message, innerException);
}
