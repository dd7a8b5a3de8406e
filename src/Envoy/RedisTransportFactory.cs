using Envoy.Coordination.Redis;
using Envoy.Runtime.Coordination;

namespace Envoy;

/// <summary>Creates the Redis coordination (signals, leader lock, status cache) from a <see cref="RedisConfig"/>.</summary>
internal static class RedisTransportFactory
{
    public static ISignalTransport Create(RedisConfig redis) => RedisCoordination.Connect(redis.BuildConnectionString(), redis.KeyPrefix);
}
