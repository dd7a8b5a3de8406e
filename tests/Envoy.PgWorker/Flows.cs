namespace Envoy.PgWorker;

/// <summary>
/// The flows of the worker. Every handler records its run in the <see cref="CounterTable"/> first, then works for a while
/// (so that a kill or a stop lands in the middle of steps), then changes the job's own data: a step committed twice would show.
/// </summary>
public static class Flows
{
    /// <summary>Three states A, B, C; each adds one to <c>count</c> and its letter to <c>trail</c> (a done job has 3 and "ABC").</summary>
    public const string Chain = "chain";

    /// <summary>Two states A, B (a done job has 2 and "AB"): the trivial flow of the 10,000-job runs.</summary>
    public const string Pair = "pair";

    /// <summary>
    /// The rolling deploy's flow, one shape per version (<c>--flow-version</c>): <c>Wait</c> blocks on the external event
    /// <c>go</c>, then <c>Finish-{version}</c> records its run and ends with the output <c>"v{version}"</c>: what a job wrote
    /// tells which version ran it.
    /// </summary>
    public const string Deploy = "deploy";

    /// <summary>
    /// Issue 18's concurrency-limit flow: one state, <c>Work</c>, whose handler is counted in the <see cref="LimitCounter"/>
    /// under its input (the job's concurrency key) while it works.
    /// </summary>
    public const string Limited = "limited";

    /// <summary>
    /// Issue 18's rate-limit flow (<c>FlowOptions.RateLimit</c>): two states, <c>First</c> and <c>Second</c>, whose handlers
    /// record their start in the <see cref="StartLog"/> under the job's input (its concurrency key) before anything else.
    /// </summary>
    public const string Rated = "rated";

    /// <summary>The <see cref="Rated"/> flow (its shape: <c>First</c>, <c>Second</c>, then the end).</summary>
    public static StateFlow BuildRated(StartLog starts) => new(
    [
        new State("First")
        {
            OnState = async ctx =>
            {
                starts.Record(ctx.Input<string>()!);
                return ctx;
            },
            Router = Router.Next("Second"),
        },
        new State("Second")
        {
            OnState = async ctx =>
            {
                starts.Record(ctx.Input<string>()!);
                return ctx.Output(ctx.Input<string>());
            },
            Router = Router.End,
        },
    ]);

    /// <summary>The <see cref="Limited"/> flow (its shape: the state <c>Work</c>, then the end).</summary>
    public static StateFlow BuildLimited(LimitCounter counter, TimeSpan work) => new(
    [
        new State("Work")
        {
            OnState = async ctx =>
            {
                await counter.RunCountedAsync(ctx.Input<string>()!, () => work > TimeSpan.Zero ? Task.Delay(work, ctx.CancellationToken) : Task.CompletedTask);
                return ctx.Output(ctx.Input<string>());
            },
            Router = Router.End,
        },
    ]);

    public static StateFlow Build(string name, CounterTable counter, TimeSpan work, string? version = null) => name switch
    {
        Chain => new StateFlow([Counted("A", counter, work, Router.Next("B")), Counted("B", counter, work, Router.Next("C")), Counted("C", counter, work, Router.End)]),
        Pair => new StateFlow([Counted("A", counter, work, Router.Next("B")), Counted("B", counter, work, Router.End)]),
        Deploy => new StateFlow(
        [
            new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("go", "signal")), Router = Router.Next("Finish-" + version) },
            new State("Finish-" + version)
            {
                OnState = async ctx =>
                {
                    await counter.RecordAsync(ctx.JobId!, ctx.State, ctx.Step, ctx.CancellationToken);
                    return ctx.Output("v" + version);
                },
                Router = Router.End,
            },
        ]),
        _ => throw new ArgumentException($"Unknown flow '{name}'.", nameof(name)),
    };

    private static State Counted(string name, CounterTable counter, TimeSpan work, Router router) => new(name)
    {
        OnState = async ctx =>
        {
            await counter.RecordAsync(ctx.JobId!, ctx.State, ctx.Step, ctx.CancellationToken);
            if (work > TimeSpan.Zero)
            {
                await Task.Delay(work, ctx.CancellationToken);
            }

            return ctx.Set("count", ctx.Get<int>("count") + 1).Set("trail", ctx.Get<string>("trail") + name);
        },
        Router = router,
    };
}
