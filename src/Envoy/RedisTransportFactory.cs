using Envoy.Runtime.Coordination;

namespace Envoy;

/// <summary>Creates the Redis signal transport (until the Redis package is present, Redis is refused with a clear error).</summary>
internal static class RedisTransportFactory
{
    public static ISignalTransport Create(RedisConfig redis, TimeProvider? timeProvider)
    {
        _ = timeProvider;
        throw new EnvoyConfigurationException([$"Redis coordination ({redis.Host}:{redis.Port}) is not part of this build yet; leave Redis unset."]);
    }
}
