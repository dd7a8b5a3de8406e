using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;
using Npgsql;

namespace Envoy;

/// <summary>Builds the store a <see cref="SchedulerConfig"/> asks for.</summary>
internal static class StoreFactory
{
    public static IJobStore Create(SchedulerConfig config, TimeProvider? timeProvider)
    {
        if (config.Postgres is { } postgres)
        {
#pragma warning disable CA2000 // The store owns the transport and disposes it; the status cache in front owns the store.
            var transport = CreateTransport(config.Redis);
            var store = new PostgresJobStore(new PostgresStoreOptions { ConnectionString = ConnectionString(postgres), MaxPoolSize = postgres.MaxPoolSize, SearchTimeout = postgres.SearchTimeout }, transport, timeProvider);
#pragma warning restore CA2000

            // With Redis, status reads and counts are served from its status cache, fed by the statuses the store writes.
            return transport is ICoordinationAccelerator redis ? new StatusCachedJobStore(store, redis) : store;
        }

        var sqlite = config.Sqlite ?? new SqliteConfig();
        return new SqliteJobStore(
            new SqliteStoreOptions
            {
                Path = sqlite.Path,
                ConnectionString = sqlite.ConnectionString,
                Synchronous = sqlite.FullSync ? SqliteSynchronous.Full : SqliteSynchronous.Normal,
            },
            timeProvider);
    }

    internal static string ConnectionString(PostgresConfig postgres)
    {
        if (!string.IsNullOrWhiteSpace(postgres.ConnectionString))
        {
            return postgres.ConnectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = postgres.Host,
            Port = postgres.Port,
            Username = postgres.Username,
            Database = postgres.Database,
        };
        if (postgres.Password is not null)
        {
            builder.Password = postgres.Password;
        }

        return builder.ConnectionString;
    }

    private static ISignalTransport? CreateTransport(RedisConfig? redis) => redis is null ? null : RedisTransportFactory.Create(redis);
}
