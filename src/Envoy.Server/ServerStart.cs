namespace Envoy.Server;

/// <summary>The ready server's start-up choices: its default address, its shutdown deadline, its start errors.</summary>
internal static class ServerStart
{
    /// <summary>Where the server listens unless <c>--urls</c>, <c>ASPNETCORE_URLS</c> or another Kestrel setting says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// How long a graceful stop (Ctrl+C, SIGTERM) lets running steps finish before they are signalled and their jobs given back
    /// as pending: under the usual 30 s a container platform waits before it kills. The host's own
    /// <c>shutdownTimeoutSeconds</c> setting (<c>--shutdownTimeoutSeconds</c>, <c>DOTNET_SHUTDOWNTIMEOUTSECONDS</c>) wins.
    /// </summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(25);

    /// <summary>The exit code when the configuration is invalid.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>The exit code when the store (or anything else of Envoy's) fails at start.</summary>
    public const int StartFailedExitCode = 1;

    /// <summary>Listens on <see cref="DefaultUrl"/> when no address is configured.</summary>
    public static void UseDefaultUrl(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }

    /// <summary>Sets the host's shutdown timeout to <see cref="DefaultShutdownTimeout"/> unless the host's own setting is given.</summary>
    public static void UseShutdownTimeout(WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["shutdownTimeoutSeconds"]))
        {
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = DefaultShutdownTimeout);
        }
    }

    /// <summary>The message for an invalid configuration, every problem on its own line.</summary>
    public static string ConfigurationError(IReadOnlyList<string> problems) =>
        $"Envoy.Server cannot start: the configuration has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
