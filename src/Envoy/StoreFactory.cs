using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;

namespace Envoy;

/// <summary>Builds the store a <see cref="SchedulerConfig"/> asks for, from its store settings as they are (every property).</summary>
internal static class StoreFactory
{
    public static IJobStore Create(SchedulerConfig config, TimeProvider? timeProvider)
    {
        if (config.Postgres is { } postgres)
        {
#pragma warning disable CA2000 // The store owns the transport and disposes it; the status cache in front owns the store.
            var transport = CreateTransport(config.Redis);
            var store = new PostgresJobStore(postgres, transport, timeProvider);
#pragma warning restore CA2000

            // With Redis, status reads and counts are served from its status cache, fed by the statuses the store writes.
            return transport is ICoordinationAccelerator redis ? new StatusCachedJobStore(store, redis) : store;
        }

        return new SqliteJobStore(config.Sqlite ?? new SqliteConfig(), timeProvider);
    }

    private static ISignalTransport? CreateTransport(RedisConfig? redis) => redis is null ? null : RedisTransportFactory.Create(redis);
}
