namespace Envoy.TestServers;

/// <summary>How <see cref="RedisServer.StartAsync(RedisServerOptions, CancellationToken)"/> runs redis-server.</summary>
public sealed class RedisServerOptions
{
    /// <summary>
    /// The redis-server executable. Default: the ENVOY_TEST_REDIS_SERVER variable, else redis-server on PATH, else
    /// /usr/bin/redis-server.
    /// </summary>
    public string? ServerPath { get; set; }

    /// <summary>Extra command-line arguments, for example <c>--maxmemory 64mb</c> as two items.</summary>
    public IList<string> ExtraArguments { get; } = [];

    /// <summary>How long a start may take. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop (SIGTERM) may take before the server is killed. Default 15 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws, listing every problem, if the options cannot work.</summary>
    /// <exception cref="ArgumentException">One or more options are invalid.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (StartTimeout <= TimeSpan.Zero)
        {
            errors.Add("StartTimeout must be positive.");
        }

        if (StopTimeout <= TimeSpan.Zero)
        {
            errors.Add("StopTimeout must be positive.");
        }

        if (ExtraArguments.Any(argument => argument is null))
        {
            errors.Add("ExtraArguments must not contain null.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RedisServerOptions: " + string.Join(" ", errors));
        }
    }

    internal RedisServerOptions Copy()
    {
        var copy = new RedisServerOptions { ServerPath = ServerPath, StartTimeout = StartTimeout, StopTimeout = StopTimeout };
        foreach (var argument in ExtraArguments)
        {
            copy.ExtraArguments.Add(argument);
        }

        return copy;
    }
}
