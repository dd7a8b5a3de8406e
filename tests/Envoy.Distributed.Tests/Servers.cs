using Envoy.TestServers;

namespace Envoy.Distributed.Tests;

/// <summary>
/// One PostgreSQL server for the assembly (a fresh database per test); the tests run one after another, since each loads the
/// 2-core machine with several worker processes. Tests that restart a server start their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedServers : ICollectionFixture<PostgresFixture>
{
    public const string Name = "distributed";
}
