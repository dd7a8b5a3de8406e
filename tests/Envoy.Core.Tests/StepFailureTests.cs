using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

/// <summary>A step is all-or-nothing: a throwing handler, router, plugin or map gives StateFlowException and changes nothing.</summary>
public class StepFailureTests
{
    public static TheoryData<string> Places => new()
    {
        "OnEnter", "OnState", "OnExit", "router", "map", "plugin.OnEnter", "plugin.OnExit", "plugin.OnRoute", "nextMap",
    };

    /// <summary>A flow "First" → "Second" where "Second" throws at <paramref name="place"/> after dirtying its context.</summary>
    private static StateFlow FlowThrowingAt(string place)
    {
        Func<StateContext, Task<StateContext>> Handler(string where) => async ctx =>
        {
            if (ctx.State == "Second" && where == place)
            {
                Dirty(ctx);
                throw new InvalidOperationException("boom at " + where);
            }

            return ctx;
        };

        var plugin = new StateFlowPlugin("guard")
        {
            OnEnter = Handler("plugin.OnEnter"),
            OnExit = Handler("plugin.OnExit"),
            OnRoute = async (ctx, next) =>
            {
                if (ctx.State == "Second" && place == "plugin.OnRoute")
                {
                    Dirty(ctx);
                    throw new InvalidOperationException("boom at plugin.OnRoute");
                }

                return next;
            },
        };

        var secondRouter = place == "nextMap"
            ? Router.Next("Third", (o, ctx) =>
            {
                Dirty(ctx);
                throw new InvalidOperationException("boom at nextMap");
            })
            : Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Third"] = new()
                    {
                        Map = (o, ctx) =>
                        {
                            if (place == "map")
                            {
                                Dirty(ctx);
                                throw new InvalidOperationException("boom at map");
                            }

                            return o;
                        },
                    },
                },
                async ctx =>
                {
                    if (place == "router")
                    {
                        Dirty(ctx);
                        throw new InvalidOperationException("boom at router");
                    }

                    return "Third";
                });

        return new StateFlow(
            [
                new State("First") { OnState = async ctx => ctx.Output("first").Set("keep", 1) },
                new State("Second")
                {
                    OnEnter = Handler("OnEnter"),
                    OnState = Handler("OnState"),
                    OnExit = Handler("OnExit"),
                    Router = secondRouter,
                },
                new State("Third") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [plugin] });
    }

    private static void Dirty(StateContext ctx)
    {
        ctx.Set("dirty", true).Set("keep", 999).Output("dirty output").Output("x.y", 1);
        try
        {
            ctx.WaitFor(new WaitFor("dirty-wait", "webhook"));
        }
        catch (WaitOutsideHandlerException)
        {
            // In a router, a map or OnRoute a wait is refused (WaitOutsideHandlerTests); the part then throws its own error.
        }
    }

    private static async Task<StateContext> AtSecondAsync(StateFlow flow)
    {
        var ctx = await flow.StepAsync(flow.NewContext("in"));
        Assert.Equal("Second", ctx.State);
        ctx.Set("before", "step").Set("$eph", "e").JobId = "job-7";
        return ctx;
    }

    [Theory]
    [MemberData(nameof(Places))]
    public async Task StepAsync_ThrowingPart_GivesStateFlowExceptionWithStateStepAndInner(string place)
    {
        var flow = FlowThrowingAt(place);
        var ctx = await AtSecondAsync(flow);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(ctx));

        Assert.Equal("Second", ex.State);
        Assert.Equal(2, ex.Step);
        var inner = Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal("boom at " + place, inner.Message);
        Assert.Contains("boom at " + place, ex.Message);
        Assert.Contains("'Second'", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public async Task StepAsync_ThrowingPart_LeavesThePassedContextUnchanged(string place)
    {
        var flow = FlowThrowingAt(place);
        var ctx = await AtSecondAsync(flow);
        var before = ctx.Serialize();

        await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(ctx));

        Assert.Equal(before, ctx.Serialize());
        Assert.False(ctx.Has("dirty"));
        Assert.Equal(1, ctx.Get<int>("keep"));
        Assert.Equal("e", ctx.Get<string>("$eph"));
        Assert.Equal("first", ctx.Output<string>());
        Assert.Empty(ctx.Waits);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public async Task RunAsync_ThrowingPart_PropagatesStateFlowException(string place)
    {
        var flow = FlowThrowingAt(place);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync("in"));

        Assert.Equal("Second", ex.State);
        Assert.Equal(2, ex.Step);
        Assert.Equal("boom at " + place, ex.InnerException?.Message);
    }

    [Fact]
    public async Task StepAsync_PluginFailure_NamesThePlugin()
    {
        var flow = FlowThrowingAt("plugin.OnExit");
        var ctx = await AtSecondAsync(flow);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(ctx));

        Assert.Contains("'guard'", ex.Message);
    }

    [Fact]
    public async Task StepAsync_FailureOnTheFirstStep_ReportsStepOne()
    {
        var flow = new StateFlow([new State("Only") { OnState = async ctx => throw new FormatException("bad format") }]);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(flow.NewContext()));

        Assert.Equal("Only", ex.State);
        Assert.Equal(1, ex.Step);
        Assert.IsType<FormatException>(ex.InnerException);
        Assert.Contains("bad format", ex.Message);
    }

    [Fact]
    public async Task StepAsync_FailureAfterAResumedWait_LeavesTheWaitingContextUnchanged()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.WaitFor(new WaitFor("w", "webhook")),
                OnExit = async ctx =>
                {
                    ctx.Set("dirty", true);
                    throw new InvalidOperationException("exit failed");
                },
            },
        ]);
        var ctx = await flow.StepAsync(flow.NewContext());
        ctx.Resolve("w", "ok");
        var before = ctx.Serialize();

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(ctx));

        Assert.Contains("exit failed", ex.Message);
        Assert.Equal(before, ctx.Serialize());
        Assert.Equal(StepPhase.PluginExit, ctx.Phase);
        Assert.Equal(WaitStatus.Success, ctx.GetWait("w")?.Status);
    }

    [Fact]
    public async Task StepAsync_HandlerReturningNull_IsAStateFlowException()
    {
        var flow = new StateFlow([new State("A") { OnState = ctx => Task.FromResult<StateContext>(null!) }]);
        var ctx = flow.NewContext();

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(ctx));

        Assert.Equal("A", ex.State);
        Assert.Contains("OnState", ex.Message);
    }

    [Fact]
    public async Task StepAsync_HandlerThrowingCancellationWithoutCancellation_IsAStateFlowException()
    {
        var flow = new StateFlow([new State("A") { OnState = async ctx => throw new OperationCanceledException("not really") }]);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(flow.NewContext()));

        Assert.IsType<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task StepAsync_HandlerCancelledByTheToken_PropagatesTheCancellation()
    {
        using var cts = new CancellationTokenSource();
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    await cts.CancelAsync();
                    ctx.CancellationToken.ThrowIfCancellationRequested();
                    return ctx;
                },
            },
        ]);
        var ctx = flow.NewContext();
        var before = ctx.Serialize();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flow.StepAsync(ctx, cts.Token));

        Assert.Equal(before, ctx.Serialize());
    }

    [Fact]
    public async Task StepAsync_SuccessfulStep_NeverChangesThePassedContext()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new JsonObject { ["changed"] = true }).Set("k", 1).Set("$e", 2) },
            new State("B") { OnState = Handlers.Noop },
        ]);
        var ctx = flow.NewContext(new { start = 1 });
        var before = ctx.Serialize();

        var next = await flow.StepAsync(ctx);

        Assert.Equal(before, ctx.Serialize());
        Assert.NotSame(ctx, next);
        Assert.Equal("B", next.State);
    }

    [Fact]
    public async Task StepAsync_StateNotInTheFlow_IsAStateFlowException()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(new StateContext("Elsewhere")));

        Assert.Equal("Elsewhere", ex.State);
        Assert.Contains("'Elsewhere'", ex.Message);
    }

    [Fact]
    public async Task StepAsync_OnADoneContext_ThrowsInvalidOperation()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);
        var done = await flow.RunAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => flow.StepAsync(done));

        Assert.Contains("Finished", ex.Message);
    }

    [Fact]
    public async Task StepAsync_NullContext_ThrowsArgumentNull()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        await Assert.ThrowsAsync<ArgumentNullException>(() => flow.StepAsync(null!));
    }
}
