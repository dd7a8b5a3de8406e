namespace Envoy.AspNetCore;

/// <summary>
/// Settings of Envoy's HTTP API and dashboard, bound from the configuration section <c>Envoy:Server</c> (see
/// <see cref="SectionName"/>) and from <c>AddEnvoyServer(options =&gt; ...)</c>; validated at start, every error listed.
/// </summary>
public sealed class EnvoyServerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Envoy:Server";

    /// <summary>The default of <see cref="MaxBodyBytes"/>: 1 MiB.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>The API keys that may call the API and sign in to the dashboard, each with its user and role.</summary>
    public IList<EnvoyApiKey> ApiKeys { get; } = [];

    /// <summary>
    /// When true, a request from a loopback address without credentials acts as an admin named <c>local</c>. Off by default;
    /// meant for development on one's own machine only.
    /// </summary>
    public bool AllowAnonymousLoopback { get; set; }

    /// <summary>The largest request body the API reads (default 1 MiB); a larger one is refused with <c>413</c> <c>body_too_large</c>.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>The default of <see cref="RequestTimeout"/>: 10 s.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="HealthCheckTimeout"/>: 2 s.</summary>
    public static readonly TimeSpan DefaultHealthCheckTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an API handler may work (default 10 s): a request whose store does not answer in time (a server that is down
    /// or stuck; the store retries transient failures for much longer) ends with <c>503</c> <c>store_unavailable</c>.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Streaming answers (the events route) are not bounded by it.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// How long each check of <c>/envoy/healthz</c> (the store, Redis) may take before it counts as unhealthy (default 2 s); the
    /// checks run side by side, so a dead server is reported within about this time.
    /// </summary>
    public TimeSpan HealthCheckTimeout { get; set; } = DefaultHealthCheckTimeout;

    /// <summary>
    /// When false, this node serves the API only and runs no job (the scheduler is not started as a worker): workers run in
    /// other processes on the same store. Default true.
    /// </summary>
    public bool RunWorkers { get; set; } = true;

    /// <summary>The problems of these settings, one line each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBodyBytes <= 0)
        {
            errors.Add($"Envoy:Server:MaxBodyBytes must be positive (was {MaxBodyBytes}).");
        }

        if (RequestTimeout <= TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"Envoy:Server:RequestTimeout must be positive (was {RequestTimeout}).");
        }

        if (HealthCheckTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Envoy:Server:HealthCheckTimeout must be positive (was {HealthCheckTimeout}).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            var where = $"Envoy:Server:ApiKeys:{i}";
            if (key is null)
            {
                errors.Add($"{where} is empty.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(key.Key))
            {
                errors.Add($"{where}:Key is required.");
            }
            else if (!seen.Add(key.Key))
            {
                errors.Add($"{where}:Key is used by another key too (user '{key.User}').");
            }

            if (string.IsNullOrWhiteSpace(key.User))
            {
                errors.Add($"{where}:User is required.");
            }

            if (!EnvoyRoles.TryParse(key.Role, out _))
            {
                errors.Add($"{where}:Role '{key.Role}' is not one of {string.Join(", ", EnvoyRoles.All)}.");
            }
        }

        return errors;
    }
}
