using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task HealthProbe_AnsweringStore_Completes_AndItsCoordinationServerAnswersAPing()
    {
        var probe = Assert.IsAssignableFrom<IStoreHealthProbe>(Store);

        await probe.ProbeAsync().WaitAsync(TimeSpan.FromSeconds(30));

        if (probe.Coordination is { } coordination)
        {
            Assert.False(string.IsNullOrWhiteSpace(coordination.Kind));
            await coordination.PingAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task CheckStoreHealth_AnsweringStore_IsHealthy_AndCoordinationIsReportedOnlyWhenPresent()
    {
        var scheduler = DisposeAfterTest(new Scheduler(Store, new SchedulerOptions(), TimeProvider.System, ownsStore: false));

        var store = await scheduler.CheckStoreHealthAsync(TimeSpan.FromSeconds(30));
        var coordination = await scheduler.CheckCoordinationHealthAsync(TimeSpan.FromSeconds(30));

        Assert.True(store.IsHealthy, store.Error);
        Assert.Null(store.Error);
        Assert.Equal(scheduler.HasCoordination, coordination is not null);
        Assert.Equal(((IStoreHealthProbe)Store).Coordination is not null, scheduler.HasCoordination);
        if (coordination is not null)
        {
            Assert.True(coordination.IsHealthy, coordination.Error);
        }
    }
}
