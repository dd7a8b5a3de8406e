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

    /// <summary>
    /// What every key and the pub/sub channel start with. Default null: <c>envoy:{store id}</c>, where the store id is made once
    /// per PostgreSQL database, so every process of one app shares it and other apps on the same Redis stay apart.
    /// </summary>
    public string? KeyPrefix { get; set; }

    /// <summary>A full StackExchange.Redis configuration string; overrides the other properties.</summary>
    public string? ConnectionString { get; set; }
}
