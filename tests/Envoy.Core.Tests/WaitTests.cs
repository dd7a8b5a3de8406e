using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class WaitTests
{
    private static StateFlow LoggedFlow(List<string> log, Func<StateContext, Task<StateContext>>? onEnter, Func<StateContext, Task<StateContext>> onState, Func<StateContext, Task<StateContext>>? onExit = null) => new(
    [
        new State("A")
        {
            OnEnter = onEnter,
            OnState = onState,
            OnExit = onExit ?? Handlers.Log(log, "A.OnExit"),
            Router = Router.Routes(Handlers.Routes("B"), async ctx =>
            {
                log.Add("A.Router");
                return "B";
            }),
        },
        new State("B") { OnState = Handlers.Log(log, "B.OnState"), Router = Router.End },
    ]);

    [Fact]
    public async Task WaitFor_InOnState_StopsTheStepAfterTheHandler()
    {
        var log = new List<string>();
        var flow = LoggedFlow(log, null, async ctx =>
        {
            ctx.WaitFor(new WaitFor("hook", "webhook", new JsonObject { ["url"] = "/x" }));
            log.Add("A.OnState continued after WaitFor");
            return ctx;
        });

        var ctx = await flow.StepAsync(flow.NewContext());

        Assert.Equal(["A.OnState continued after WaitFor"], log);
        Assert.Equal("A", ctx.State);
        Assert.Equal(1, ctx.Step);
        Assert.Null(ctx.Done);
        Assert.True(ctx.IsWaiting);
        Assert.Equal(["hook"], ctx.WaitingFor);
        var wait = Assert.Single(ctx.Waits);
        Assert.Equal(("hook", "webhook", WaitStatus.Pending), (wait.Id, wait.Type, wait.Status));
        Assert.Equal("/x", wait.Params?["url"]?.GetValue<string>());
        Assert.Equal(StepPhase.PluginExit, ctx.Phase);
    }

    [Fact]
    public async Task WaitFor_Resolved_ResumesAtOnExitAndRouterWhichSeeTheResult()
    {
        var log = new List<string>();
        var onStateRuns = 0;
        var flow = LoggedFlow(
            log,
            null,
            async ctx =>
            {
                onStateRuns++;
                return ctx.WaitFor(new WaitFor("hook", "webhook"));
            },
            async ctx =>
            {
                var wait = ctx.GetWait("hook");
                log.Add($"A.OnExit saw {wait?.Status} {wait?.Output?.GetValue<string>()}");
                return ctx;
            });
        var waiting = await flow.StepAsync(flow.NewContext());

        waiting.Resolve("hook", "payload");
        var ctx = await flow.StepAsync(waiting);

        Assert.Equal(1, onStateRuns);
        Assert.Equal(["A.OnExit saw Success payload", "A.Router"], log);
        Assert.Equal("B", ctx.State);
        Assert.Equal(2, ctx.Step);
    }

    [Fact]
    public async Task WaitFor_InOnEnter_ResumesAtOnStateWhichSeesTheResult()
    {
        var log = new List<string>();
        var enterRuns = 0;
        var flow = LoggedFlow(
            log,
            async ctx =>
            {
                enterRuns++;
                return ctx.WaitFor(new WaitFor("approval", "manual"));
            },
            async ctx =>
            {
                log.Add($"A.OnState saw {ctx.GetWait("approval")?.Output?["ok"]}");
                return ctx;
            });

        var waiting = await flow.StepAsync(flow.NewContext());
        Assert.Empty(log);
        Assert.Equal(StepPhase.State, waiting.Phase);
        waiting.Resolve("approval", new { ok = true });
        var ctx = await flow.StepAsync(waiting);

        Assert.Equal(1, enterRuns);
        Assert.Equal(["A.OnState saw true", "A.OnExit", "A.Router"], log);
        Assert.Equal("B", ctx.State);
    }

    [Fact]
    public async Task WaitFor_InOnExit_ResumesAtTheRouterWhichSeesTheResult()
    {
        var log = new List<string>();
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Log(log, "A.OnState"),
                OnExit = async ctx =>
                {
                    log.Add("A.OnExit");
                    return ctx.WaitFor(new WaitFor("choice", "manual"));
                },
                Router = Router.Routes(Handlers.Routes("B", "C"), async ctx =>
                {
                    log.Add("A.Router");
                    return ctx.GetWait("choice")?.Output?.GetValue<string>();
                }),
            },
            new State("B") { OnState = Handlers.Log(log, "B"), Router = Router.End },
            new State("C") { OnState = Handlers.Log(log, "C"), Router = Router.End },
        ]);

        var waiting = await flow.StepAsync(flow.NewContext());
        Assert.Equal(StepPhase.Route, waiting.Phase);
        waiting.Resolve("choice", "C");
        var ctx = await flow.StepAsync(waiting);
        ctx = await flow.StepAsync(ctx);

        Assert.Equal(["A.OnState", "A.OnExit", "A.Router", "C"], log);
        Assert.Equal("C", ctx.State);
    }

    [Fact]
    public async Task WaitFor_InPluginOnEnter_ResumesWithTheNextPlugin()
    {
        var log = new List<string>();
        var gate = new StateFlowPlugin("gate")
        {
            OnEnter = async ctx =>
            {
                log.Add($"gate.OnEnter({ctx.State})");
                return ctx.State == "A" ? ctx.WaitFor(new WaitFor("gate", "manual")) : ctx;
            },
        };
        var flow = new StateFlow(
            [new State("A") { OnState = Handlers.Log(log, "A.OnState"), Router = Router.End }],
            new StateFlowOptions { Plugins = [gate, Handlers.LoggingPlugin(log, "after")] });

        var waiting = await flow.StepAsync(flow.NewContext());
        Assert.Equal(["gate.OnEnter(A)"], log);
        Assert.Equal((StepPhase.PluginEnter, 1), (waiting.Phase, waiting.PhaseIndex));
        waiting.Resolve("gate", null);
        var ctx = await flow.StepAsync(waiting);

        Assert.Equal(["gate.OnEnter(A)", "after.OnEnter(A)", "A.OnState", "after.OnExit(A)", "after.OnRoute(A->null)"], log);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task WaitFor_InPluginOnExit_ResumesWithTheNextPluginOnExit()
    {
        var log = new List<string>();
        var gate = new StateFlowPlugin("gate")
        {
            OnExit = async ctx =>
            {
                log.Add("gate.OnExit");
                return ctx.WaitFor(new WaitFor("gate", "manual"));
            },
        };
        var flow = new StateFlow(
            [new State("A") { OnState = Handlers.Log(log, "A.OnState"), OnExit = Handlers.Log(log, "A.OnExit"), Router = Router.End }],
            new StateFlowOptions { Plugins = [gate, Handlers.LoggingPlugin(log, "after")] });

        var waiting = await flow.StepAsync(flow.NewContext());
        Assert.Equal((StepPhase.PluginExit, 1), (waiting.Phase, waiting.PhaseIndex));
        waiting.Resolve("gate", null);
        await flow.StepAsync(waiting);

        Assert.Equal(["after.OnEnter(A)", "A.OnState", "gate.OnExit", "after.OnExit(A)", "A.OnExit", "after.OnRoute(A->null)"], log);
    }

    [Fact]
    public async Task WaitFor_SeveralWaits_BlockUntilEveryOneIsResolved()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.WaitFor(new WaitFor("w1", "t"), new WaitFor("w2", "t")) },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
        ]);
        var ctx = await flow.StepAsync(flow.NewContext());

        ctx.Resolve("w2", 2);

        Assert.Equal(["w1"], ctx.WaitingFor);
        Assert.True(ctx.IsWaiting);
        await Assert.ThrowsAsync<InvalidOperationException>(() => flow.StepAsync(ctx));
        ctx.Reject("w1", "no");
        Assert.False(ctx.IsWaiting);
        Assert.Empty(ctx.WaitingFor);
        ctx = await flow.StepAsync(ctx);
        Assert.Equal("B", ctx.State);
    }

    [Fact]
    public async Task StepAsync_OnAWaitingContext_ThrowsInvalidOperationNamingTheWait()
    {
        var flow = new StateFlow([new State("A") { OnState = async ctx => ctx.WaitFor(new WaitFor("hook-1", "webhook")) }]);
        var ctx = await flow.StepAsync(flow.NewContext());
        var before = ctx.Serialize();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => flow.StepAsync(ctx));

        Assert.Contains("hook-1", ex.Message);
        Assert.Equal(before, ctx.Serialize());
    }

    [Fact]
    public async Task Spawn_StopsTheStepAfterTheHandler()
    {
        var log = new List<string>();
        var flow = LoggedFlow(log, null, async ctx =>
        {
            var id = ctx.Spawn("child", new { n = 1 });
            return ctx.Set("spawnId", id);
        });

        var ctx = await flow.StepAsync(flow.NewContext());

        Assert.Empty(log);
        var id = ctx.Get<string>("spawnId");
        Assert.NotNull(id);
        Assert.Equal([id], ctx.WaitingFor);
        var wait = ctx.GetWait(id)!;
        Assert.Equal(WaitTypes.Spawn, wait.Type);
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"flow":"child","input":{"n":1},"name":"child"}"""), wait.Params));
    }

    [Fact]
    public async Task Escalate_StopsTheStepAfterTheHandler()
    {
        var log = new List<string>();
        var flow = LoggedFlow(log, null, async ctx =>
        {
            ctx.Escalate("alice", "Approve this action?", [EscalationInput.Approve("ok", "OK")]);
            log.Add("after escalate");
            return ctx;
        });

        var ctx = await flow.StepAsync(flow.NewContext());

        Assert.Equal(["after escalate"], log);
        var wait = Assert.Single(ctx.Waits);
        Assert.Equal(WaitTypes.Escalation, wait.Type);
        Assert.Equal("alice", wait.Params?["user"]?.GetValue<string>());
        Assert.Equal("Approve this action?", wait.Params?["message"]?.GetValue<string>());
        Assert.True(ctx.IsWaiting);
    }
}
