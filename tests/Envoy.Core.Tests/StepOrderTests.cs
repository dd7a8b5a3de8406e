namespace Envoy.Core.Tests;

/// <summary>The order flows.md fixes for one step: plugin OnEnters, OnEnter, OnState, plugin OnExits, OnExit, router, plugin OnRoutes, map, transition.</summary>
public class StepOrderTests
{
    private static StateFlow OrderedFlow(List<string> log) => new(
        [
            new State("A")
            {
                OnEnter = Handlers.Log(log, "A.OnEnter"),
                OnState = Handlers.Log(log, "A.OnState"),
                OnExit = Handlers.Log(log, "A.OnExit"),
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new()
                        {
                            Map = (o, ctx) =>
                            {
                                log.Add($"A.Map({ctx.State})");
                                return o;
                            },
                        },
                    },
                    async ctx =>
                    {
                        log.Add("A.Router");
                        return "B";
                    }),
            },
            new State("B")
            {
                OnEnter = async ctx =>
                {
                    log.Add($"B.OnEnter(step {ctx.Step})");
                    return ctx;
                },
                OnState = Handlers.Log(log, "B.OnState"),
                OnExit = Handlers.Log(log, "B.OnExit"),
                Router = Router.End,
            },
        ],
        new StateFlowOptions { Plugins = [Handlers.LoggingPlugin(log, "p1"), Handlers.LoggingPlugin(log, "p2")] });

    [Fact]
    public async Task Step_RunsHandlersPluginsRouterMapThenTransitionInOrder()
    {
        var log = new List<string>();

        var ctx = await OrderedFlow(log).RunAsync();

        Assert.Equal(
            [
                "p1.OnEnter(A)", "p2.OnEnter(A)",
                "A.OnEnter", "A.OnState",
                "p1.OnExit(A)", "p2.OnExit(A)",
                "A.OnExit",
                "A.Router",
                "p1.OnRoute(A->B)", "p2.OnRoute(A->B)",
                "A.Map(A)",
                "p1.OnEnter(B)", "p2.OnEnter(B)",
                "B.OnEnter(step 2)", "B.OnState",
                "p1.OnExit(B)", "p2.OnExit(B)",
                "B.OnExit",
                "p1.OnRoute(B->null)", "p2.OnRoute(B->null)",
            ],
            log);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task StepAsync_EndsWithTheTransitionToTheNextState()
    {
        var log = new List<string>();
        var flow = OrderedFlow(log);

        var ctx = await flow.StepAsync(flow.NewContext());

        Assert.Equal("A.Map(A)", log[^1]);
        Assert.Equal("B", ctx.State);
        Assert.Equal(2, ctx.Step);
        Assert.Null(ctx.Done);
        Assert.DoesNotContain(log, e => e.Contains("(B)") || e.StartsWith("B."));
    }

    [Fact]
    public async Task Step_NextRouterMapRunsAfterPluginOnRoutes()
    {
        var log = new List<string>();
        var flow = new StateFlow(
            [
                new State("A")
                {
                    OnState = Handlers.Log(log, "A.OnState"),
                    Router = Router.Next("B", (o, _) =>
                    {
                        log.Add("A.Map");
                        return o;
                    }),
                },
                new State("B") { OnState = Handlers.Log(log, "B.OnState"), Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [Handlers.LoggingPlugin(log, "p")] });

        await flow.RunAsync();

        Assert.Equal(
            ["p.OnEnter(A)", "A.OnState", "p.OnExit(A)", "p.OnRoute(A->B)", "A.Map", "p.OnEnter(B)", "B.OnState", "p.OnExit(B)", "p.OnRoute(B->null)"],
            log);
    }

    [Fact]
    public async Task Step_EachHandlerSeesTheChangesOfTheOnesBefore()
    {
        var flow = new StateFlow(
            [
                new State("A")
                {
                    OnEnter = async ctx => ctx.Set("trail", ctx.Get<string>("trail") + ">enter"),
                    OnState = async ctx => ctx.Set("trail", ctx.Get<string>("trail") + ">state"),
                    OnExit = async ctx => ctx.Set("trail", ctx.Get<string>("trail") + ">exit"),
                    Router = Router.Routes(Handlers.Routes("A"), async ctx =>
                    {
                        ctx.Set("trail", ctx.Get<string>("trail") + ">router");
                        return null;
                    }),
                },
            ],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("p")
                    {
                        OnEnter = async ctx => ctx.Set("trail", "penter"),
                        OnExit = async ctx => ctx.Set("trail", ctx.Get<string>("trail") + ">pexit"),
                        OnRoute = async (ctx, next) =>
                        {
                            ctx.Set("trail", ctx.Get<string>("trail") + ">proute");
                            return next;
                        },
                    },
                ],
            });

        var ctx = await flow.RunAsync();

        Assert.Equal("penter>enter>state>pexit>exit>router>proute", ctx.Get<string>("trail"));
    }

    [Fact]
    public async Task Step_HandlerReturningAnotherContext_ContinuesWithTheReturnedOne()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Clone().Set("fromClone", true),
                OnExit = async ctx => ctx.Set("exitSawClone", ctx.Get<bool>("fromClone")),
                Router = Router.End,
            },
        ]);

        var ctx = await flow.RunAsync();

        Assert.True(ctx.Get<bool>("exitSawClone"));
    }

    [Fact]
    public async Task Fail_InOnState_SkipsTheRestOfTheStep()
    {
        var log = new List<string>();
        var flow = new StateFlow(
            [
                new State("A")
                {
                    OnEnter = Handlers.Log(log, "A.OnEnter"),
                    OnState = async ctx =>
                    {
                        log.Add("A.OnState");
                        return ctx.Fail("bad input");
                    },
                    OnExit = Handlers.Log(log, "A.OnExit"),
                    Router = Router.Routes(Handlers.Routes("B"), async ctx =>
                    {
                        log.Add("A.Router");
                        return "B";
                    }),
                },
                new State("B") { OnState = Handlers.Log(log, "B.OnState") },
            ],
            new StateFlowOptions { Plugins = [Handlers.LoggingPlugin(log, "p")] });

        var ctx = await flow.RunAsync();

        Assert.Equal(["p.OnEnter(A)", "A.OnEnter", "A.OnState"], log);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("bad input", ctx.Error);
        Assert.Equal("A", ctx.State);
    }
}
