namespace Envoy.FaultWorker;

/// <summary>
/// Three states, A, B and C. Each handler records its run in the <see cref="RunLog"/> first, then works for a while (so that
/// a kill lands in the middle of steps), then adds one to the job's own <c>count</c> and its letter to <c>trail</c>: a step
/// committed twice would show as a count above 3 or a doubled letter.
/// </summary>
public static class CountedFlow
{
    public const string Name = "counted";

    public static readonly string[] States = ["A", "B", "C"];

    public static StateFlow Build(RunLog runs, TimeSpan work) => new(
    [
        Counted("A", runs, work, Router.Next("B")),
        Counted("B", runs, work, Router.Next("C")),
        Counted("C", runs, work, Router.End),
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
