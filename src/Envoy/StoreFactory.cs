using Envoy.Runtime;
using Envoy.Storage.Sqlite;

namespace Envoy;

/// <summary>Builds the store a <see cref="SchedulerConfig"/> asks for.</summary>
internal static class StoreFactory
{
    public static IJobStore Create(SchedulerConfig config, TimeProvider? timeProvider)
    {
        if (config.Postgres is { } postgres)
        {
            throw new EnvoyConfigurationException(
                [$"The PostgreSQL store (host {postgres.Host}, port {postgres.Port}) is not part of this build yet; use the embedded SQLite store (leave Postgres unset)."]);
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
}
