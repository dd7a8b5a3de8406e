using Xunit.Abstractions;

namespace Envoy.Agents.Tests;

/// <summary>The shared LLM limits over worker processes on one SQLite file.</summary>
public sealed class SharedLlmLimitsProcessSqliteTests(ITestOutputHelper output) : SharedLlmLimitsProcessTests(output)
{
    protected override Task<string> CreateStoreAsync() => Task.FromResult(Path.Combine(TempFolder.FullName, "jobs.db"));
}
