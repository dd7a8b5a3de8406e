using Envoy.Coordination.Redis;
using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy;

/// <summary>Creates the Redis coordination (signals, leader lock, status cache) from a <see cref="RedisConfig"/>.</summary>
internal static class RedisTransportFactory
{
    public static ISignalTransport Create(RedisConfig redis)
    {
        if (!string.IsNullOrWhiteSpace(redis.ConnectionString))
        {
            return RedisCoordination.Connect(redis.ConnectionString, redis.KeyPrefix);
        }

        var options = new ConfigurationOptions { EndPoints = { { redis.Host, redis.Port } }, Password = redis.Password };
        return RedisCoordination.Connect(options.ToString(includePassword: true), redis.KeyPrefix);
    }
}
