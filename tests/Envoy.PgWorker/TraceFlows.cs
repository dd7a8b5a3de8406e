namespace Envoy.PgWorker;

/// <summary>
/// The flows of the cross-process trace test (<c>CrossProcessTraceTests</c>): a parent runs in one process, its children in
/// another, and each process prints its step spans (<see cref="SpanPrinter"/>). The parent's process is started with
/// <c>--flow trace-parent --concurrency 1</c>: while the parent's <c>Fan</c> step runs it schedules a higher-priority
/// <c>trace-hold</c> job that only this process has, which takes the one worker slot as soon as <c>Fan</c> commits and keeps it
/// until the command <c>release</c>, so that the children (inserted by that commit) are claimed by the other process, started
/// with <c>--flow trace-child</c>. Every flow has the version <c>"1"</c>, so the test's scheduling process registers the same.
/// </summary>
public static class TraceFlows
{
    /// <summary>The parent: <c>Fan</c> spawns as many <see cref="Child"/> jobs as its integer input, then outputs their sum.</summary>
    public const string Parent = "trace-parent";

    /// <summary>The child: one state <c>Work</c>, its integer input times ten.</summary>
    public const string Child = "trace-child";

    /// <summary>The job that holds the parent process's only worker slot until <c>release</c>.</summary>
    public const string Hold = "trace-hold";

    /// <summary>The version all three flows are registered with.</summary>
    public const string Version = "1";

    private static readonly TaskCompletionSource Released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether <paramref name="flow"/> is one of these flows' processes (<c>--flow trace-parent</c> or <c>trace-child</c>).</summary>
    public static bool Owns(string flow) => flow is Parent or Child;

    /// <summary>No jobs claimed ahead in these processes: the parent's process must claim exactly the job a free slot takes.</summary>
    public static int ClaimAheadFor(string flow, int otherwise) => Owns(flow) ? 0 : otherwise;

    /// <summary>Registers the flows of this process's role and starts printing its spans.</summary>
    public static void Register(Scheduler scheduler, string flow)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        SpanPrinter.Start();
        var options = new FlowOptions { Version = Version };
        scheduler.AddFlow(Child, ChildFlow(), options);
        if (flow == Parent)
        {
            scheduler.AddFlow(Hold, HoldFlow(), options);
            scheduler.AddFlow(Parent, ParentFlow(scheduler), options);
        }
    }

    /// <summary>Lets the <c>trace-hold</c> job end (the command <c>release</c>).</summary>
    public static void Release() => Released.TrySetResult();

    private static StateFlow ParentFlow(Scheduler scheduler) => new(
    [
        new State("Fan")
        {
            OnState = async ctx =>
            {
                await scheduler.ScheduleAsync(Hold, null, new ScheduleOptions { Priority = 100, IdempotencyKey = "hold-" + ctx.JobId }, ctx.CancellationToken);
                var children = ctx.Input<int>();
                for (var i = 0; i < children; i++)
                {
                    ctx.Spawn(Child, i + 1, $"c{i}");
                }

                return ctx;
            },
            OnExit = async ctx => ctx.Output(Enumerable.Range(0, ctx.Input<int>()).Sum(i => ctx.Get<int>($"$spawn.c{i}.result"))),
            Router = Router.End,
        },
    ]);

    private static StateFlow ChildFlow() => new(
    [
        new State("Work") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 10), Router = Router.End },
    ]);

    private static StateFlow HoldFlow() => new(
    [
        new State("Hold")
        {
            OnState = async ctx =>
            {
                await Released.Task.WaitAsync(ctx.CancellationToken);
                return ctx.Output("released");
            },
            Router = Router.End,
        },
    ]);
}
