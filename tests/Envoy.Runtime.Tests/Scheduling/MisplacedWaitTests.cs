namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Flow bugs that every run would repeat fail the job at once, with an error saying what and where; nothing is dropped.</summary>
public sealed class MisplacedWaitTests : SchedulerTestBase
{
    [Fact]
    public async Task Spawn_InARouter_FailsTheJobAtOnce_NamingWhere()
    {
        var routed = 0;
        var scheduler = await StartSchedulerAsync(s => s
            .AddFlow("child", OneState(async ctx => ctx))
            .AddFlow("parent", new StateFlow(
            [
                new State("A")
                {
                    OnState = async ctx => ctx,
                    Router = Router.Routes(new Dictionary<string, Route> { ["B"] = new() }, async ctx =>
                    {
                        Interlocked.Increment(ref routed);
                        ctx.Spawn("child", null);
                        return "B";
                    }),
                },
                new State("B") { OnState = async ctx => ctx },
            ])));

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("the router of state 'A'", job.Error, StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref routed));
        Assert.Equal(0, job.Retries);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
    }

    [Fact]
    public async Task Escalate_InAPluginOnRoute_FailsTheJobAtOnce_NamingThePlugin()
    {
        var plugin = new StateFlowPlugin("approvals")
        {
            OnRoute = async (ctx, next) =>
            {
                ctx.Escalate("ann", "ok?", [EscalationInput.Approve("ok", "OK")]);
                return next;
            },
        };
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx, new StateFlowOptions { Plugins = [plugin] })));

        var id = await scheduler.ScheduleAsync("f");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("plugin 'approvals' OnRoute in state 'Only'", job.Error, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListEscalationsAsync());
    }

    [Fact]
    public async Task Spawn_OfAnUnregisteredFlow_FailsTheJobAtOnce_AsAConfigurationError()
    {
        var runs = 0;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("parent", OneState(async ctx =>
        {
            Interlocked.Increment(ref runs);
            ctx.Spawn("nowhere", null);
            return ctx;
        })));

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains(new FlowNotFoundException("nowhere").Message, job.Error, StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.Equal(0, job.Retries);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
    }
}
