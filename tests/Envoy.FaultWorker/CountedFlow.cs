namespace Envoy.FaultWorker;

/// <summary>
/// The flows of the fault worker. Every handler records its run in the <see cref="RunLog"/> first, then works for a while
/// (so that a kill lands in the middle of steps), then changes the job's own data: a step committed twice would show in it.
/// </summary>
public static class CountedFlow
{
    /// <summary>Three states, A, B and C; each adds one to <c>count</c> and its letter to <c>trail</c> (so a done job has 3 and "ABC").</summary>
    public const string Name = "counted";

    /// <summary>Fan spawns two counted children (left, right) and records their statuses; Join adds one to <c>count</c>.</summary>
    public const string ParentName = "parent";

    /// <summary>Nap sleeps (a durable timer) for its input in milliseconds, then records its run when it wakes and outputs "woke".</summary>
    public const string NapName = "nap";

    public static StateFlow BuildNap(RunLog runs) => new(
    [
        new State("Nap")
        {
            OnEnter = async ctx => { ctx.Sleep("nap", TimeSpan.FromMilliseconds(ctx.Input<int>())); return ctx; },
            OnState = async ctx =>
            {
                runs.Record(ctx.JobId!, ctx.State, ctx.Step);
                return ctx.Output("woke");
            },
        },
    ]);

    public static StateFlow Build(RunLog runs, TimeSpan work) => new(
    [
        Counted("A", runs, work, Router.Next("B")),
        Counted("B", runs, work, Router.Next("C")),
        Counted("C", runs, work, Router.End),
    ]);

    public static StateFlow BuildParent(RunLog runs, TimeSpan work) => new(
    [
        new State("Fan")
        {
            OnState = async ctx =>
            {
                runs.Record(ctx.JobId!, ctx.State, ctx.Step);
                await Task.Delay(work, ctx.CancellationToken);
                ctx.Spawn(Name, ctx.Input<int>(), "left");
                ctx.Spawn(Name, ctx.Input<int>(), "right");
                return ctx;
            },
            OnExit = async ctx => ctx.Set("children", $"{ctx.Get<string>("$spawn.left.status")},{ctx.Get<string>("$spawn.right.status")}"),
            Router = Router.Next("Join"),
        },
        Counted("Join", runs, work, Router.End),
    ]);

    private static State Counted(string name, RunLog runs, TimeSpan work, Router router) => new(name)
    {
        OnState = async ctx =>
        {
            runs.Record(ctx.JobId!, ctx.State, ctx.Step);
            await Task.Delay(work, ctx.CancellationToken);
            return ctx.Set("count", ctx.Get<int>("count") + 1).Set("trail", ctx.Get<string>("trail") + name);
        },
        Router = router,
    };
}
