namespace Envoy;

/// <summary>Redis, the coordination accelerator next to PostgreSQL.</summary>
public sealed class RedisConfig
{
    /// <summary>The server host.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The server port.</summary>
    public int Port { get; set; } = 6379;

    /// <summary>The password.</summary>
    public string? Password { get; set; }

    /// <summary>A full StackExchange.Redis configuration string; overrides the other properties.</summary>
    public string? ConnectionString { get; set; }
}
