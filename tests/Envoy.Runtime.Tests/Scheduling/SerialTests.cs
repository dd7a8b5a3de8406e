namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Tests that run alone, after the parallel ones: timing-sensitive (short leases) or heavy enough to disturb others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "Serial scheduler tests";
}
