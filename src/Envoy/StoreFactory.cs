using Envoy.Runtime;
using Envoy.Runtime.Coordination;
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
#pragma warning disable CA2000 // The store owns the transport and disposes it.
            return new PostgresJobStore(postgres, CreateTransport(config.Redis), timeProvider);
#pragma warning restore CA2000
        }

        return new SqliteJobStore(config.Sqlite ?? new SqliteConfig(), timeProvider);
    }

    private static ISignalTransport? CreateTransport(RedisConfig? redis) => redis is null ? null : RedisTransportFactory.Create(redis);
}
