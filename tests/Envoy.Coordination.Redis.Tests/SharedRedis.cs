using Envoy.TestServers;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// One redis-server for the whole test assembly (starting it is the slow part); each test keeps to its own key prefix
/// (<see cref="Redis.NewPrefix"/>), so tests never see each other's keys or channels.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedRedis : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
