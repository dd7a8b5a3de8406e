namespace Envoy;

/// <summary>The configuration is invalid; <see cref="Errors"/> lists every problem.</summary>
public class EnvoyConfigurationException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public EnvoyConfigurationException()
        : this([])
    {
    }

    /// <summary>Creates the error listing the problems.</summary>
    public EnvoyConfigurationException(IReadOnlyList<string> errors)
        : base("Invalid Envoy configuration:" + string.Concat((errors ?? []).Select(e => Environment.NewLine + " - " + e)))
    {
        Errors = errors ?? [];
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public EnvoyConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
