using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>One PostgreSQL and one Redis server for the whole test assembly; each test gets its own database.</summary>
[CollectionDefinition(Name)]
public sealed class SharedServers : ICollectionFixture<PostgresFixture>, ICollectionFixture<RedisFixture>
{
    public const string Name = "servers";
}
