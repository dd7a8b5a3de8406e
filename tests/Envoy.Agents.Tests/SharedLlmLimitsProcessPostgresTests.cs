using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.Agents.Tests;

/// <summary>The shared LLM limits over worker processes on one PostgreSQL database (a throwaway server of the test run).</summary>
public sealed class SharedLlmLimitsProcessPostgresTests(PostgresFixture postgres, ITestOutputHelper output)
    : SharedLlmLimitsProcessTests(output), IClassFixture<PostgresFixture>
{
    protected override async Task<string> CreateStoreAsync() => LlmLimitsWorker.PostgresPrefix + await postgres.CreateFreshDatabaseAsync();
}
