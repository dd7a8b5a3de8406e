namespace Envoy.Agents.Tests;

/// <summary>
/// The test classes that start several worker processes run one after another, not in parallel: on the 2-core test machine
/// their processes would otherwise compete with each other too (their timing margins are for a loaded machine, not for that).
/// </summary>
[CollectionDefinition(Name)]
public sealed class WorkerProcessTests
{
    public const string Name = "worker processes";
}
