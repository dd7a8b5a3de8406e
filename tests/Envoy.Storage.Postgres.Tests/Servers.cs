using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>One PostgreSQL and one Redis server for the whole test assembly: starting servers is the slow part.</summary>
[CollectionDefinition(Name)]
public sealed class SharedServers : ICollectionFixture<PostgresFixture>, ICollectionFixture<RedisFixture>
{
    public const string Name = "servers";
}
