namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// The retention settings (issue 17): <see cref="SchedulerOptions.Retention"/>, <see cref="FlowOptions.Retention"/> and
/// <see cref="FlowOptions.MaxJobAge"/>, validated with clear errors; the configuration of docs/scheduling.md's snippet.
/// </summary>
public sealed class RetentionConfigTests
{
    [Fact]
    public void Retention_DefaultsToSevenDays_NullKeepsForever_AndIsCopiedByClone()
    {
        Assert.Equal(TimeSpan.FromDays(7), new SchedulerConfig().Retention);
        Assert.Equal(SchedulerOptions.DefaultRetention, new SchedulerConfig().Retention);
        Assert.Empty(new SchedulerConfig { Retention = null }.Validate());
        Assert.Null(new SchedulerConfig { Retention = null }.Clone().Retention);
        Assert.Equal(TimeSpan.FromHours(2), new SchedulerConfig { Retention = TimeSpan.FromHours(2) }.Clone().Retention);
    }

    [Fact]
    public void Retention_ZeroOrNegative_IsRefusedWithAClearError()
    {
        var zero = new SchedulerConfig { Retention = TimeSpan.Zero }.Validate();
        var negative = new SchedulerConfig { Retention = TimeSpan.FromSeconds(-1) }.Validate();

        Assert.Contains(zero, e => e.Contains("Retention must be positive, or null to keep finished jobs forever (was 00:00:00)", StringComparison.Ordinal));
        Assert.Contains(negative, e => e.Contains("Retention must be positive", StringComparison.Ordinal));
        var thrown = Assert.Throws<EnvoyConfigurationException>(() => new SchedulerConfig { Retention = TimeSpan.Zero }.ThrowIfInvalid());
        Assert.Contains(thrown.Errors, e => e.StartsWith("Retention", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FlowOptions_BadRetentionOrMaxJobAge_IsRefusedByAddFlow_ListingEveryProblem()
    {
        await using var scheduler = new Scheduler(new Envoy.Storage.Sqlite.SqliteJobStore(new SqliteConfig { Path = ":memory:" }), new SchedulerConfig());
        var flow = new StateFlow([new State("A") { OnState = ctx => Task.FromResult(ctx), Router = Router.End }]);

        var error = Assert.Throws<EnvoyConfigurationException>(() => scheduler.AddFlow("bad", flow, new FlowOptions { Retention = TimeSpan.Zero, MaxJobAge = TimeSpan.FromMinutes(-5) }));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("FlowOptions.Retention of flow 'bad' must be positive, Timeout.InfiniteTimeSpan to keep its jobs forever", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("FlowOptions.MaxJobAge of flow 'bad' must be positive", StringComparison.Ordinal));
        Assert.Empty(new FlowOptions { Retention = Timeout.InfiniteTimeSpan, MaxJobAge = TimeSpan.FromHours(1) }.Validate("good"));
    }

    [Fact]
    public void DocSnippet_RetentionAndMaxJobAge_Configures()
    {
        // docs/scheduling.md, "Retention and maximum job age".
        var config = new SchedulerConfig
        {
            Retention = TimeSpan.FromDays(3),          // finished jobs are kept 3 days (null: forever)
        };
        var audit = new FlowOptions { Retention = Timeout.InfiniteTimeSpan };          // this flow's jobs are kept forever
        var webhook = new FlowOptions { Retention = TimeSpan.FromHours(6), MaxJobAge = TimeSpan.FromHours(1) };

        Assert.Empty(config.Validate());
        Assert.Empty(audit.Validate("audit"));
        Assert.Empty(webhook.Validate("webhook"));
    }
}
