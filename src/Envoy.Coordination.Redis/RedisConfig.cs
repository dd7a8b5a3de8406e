using StackExchange.Redis;

namespace Envoy;

/// <summary>
/// Redis, the coordination accelerator next to PostgreSQL: the one settings type of <c>SchedulerConfig.Redis</c>, of
/// <c>UseRedis</c> and of the configuration section <c>Envoy:Redis</c>. Either the server's parts (<see cref="Host"/>,
/// <see cref="Port"/>, <see cref="Password"/>) or a full <see cref="ConnectionString"/>.
/// </summary>
public sealed class RedisConfig
{
    /// <summary>The server host (default <c>localhost</c>).</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The server port (default 6379).</summary>
    public int Port { get; set; } = 6379;

    /// <summary>The password.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// What every key and the pub/sub channel start with. Default null: <c>envoy:{store id}</c>, where the store id is made once
    /// per PostgreSQL database, so every process of one app shares it and other apps on the same Redis stay apart.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>A full StackExchange.Redis configuration string; overrides <see cref="Host"/>, <see cref="Port"/> and <see cref="Password"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The StackExchange.Redis configuration string these settings describe: <see cref="ConnectionString"/> when set, else one
    /// built from <see cref="Host"/>, <see cref="Port"/> and <see cref="Password"/>.
    /// </summary>
    /// <exception cref="EnvoyConfigurationException">The settings are invalid (every problem listed).</exception>
    public string BuildConnectionString()
    {
        ThrowIfInvalid();
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var options = new ConfigurationOptions { EndPoints = { { Host, Port } }, Password = Password };
        return options.ToString(includePassword: true);
    }

    /// <summary>Every problem with these settings (empty when valid), each naming its setting as <c>Redis.&lt;Name&gt;</c>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            if (string.IsNullOrWhiteSpace(Host))
            {
                errors.Add("Redis.Host or Redis.ConnectionString must be set.");
            }

            if (Port is < 1 or > 65535)
            {
                errors.Add($"Redis.Port must be between 1 and 65535 (was {Port}).");
            }
        }
        else
        {
            try
            {
                _ = ConfigurationOptions.Parse(ConnectionString);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Redis.ConnectionString is not a valid StackExchange.Redis configuration string: {e.Message}");
            }
        }

        if (KeyPrefix is not null && string.IsNullOrWhiteSpace(KeyPrefix))
        {
            errors.Add("Redis.KeyPrefix cannot be blank (null: the default, envoy:{store id}).");
        }

        return errors;
    }

    /// <summary>Throws <see cref="EnvoyConfigurationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new EnvoyConfigurationException(errors);
        }
    }

    /// <summary>A copy, so that later changes to this instance do not reach a scheduler that captured it.</summary>
    public RedisConfig Clone() => (RedisConfig)MemberwiseClone();
}
